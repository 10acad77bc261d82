"""Data flows one way: a module imports only modules of its own or an earlier stage.

audio -> transcript -> tokens -> findings -> reports; the CLI and the runners sit on top.
An import inside a function counts too: a late import is still a dependency.
"""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "analyzer"

# Stage of every module (lower = earlier). A module may import modules of a stage <= its own.
STAGES = {
    "types": 0, "errors": 0, "__init__": 0, "fileio": 0,
    "normalize": 1, "telephone": 1, "cer": 1,
    "audio": 2, "models": 2,
    "asr": 3, "stereo": 3, "wordtimes": 3, "resegment": 3,
    "diarize": 4, "roles": 4,
    "lexicon": 5, "segment": 5, "numerals": 5,
    "detect": 6,
    "analysis": 7, "textinput": 7,
    "record": 8,
    "store": 9, "timeline": 9,
    "report": 10,
    "pipeline": 11, "batch": 11, "progress": 11,
    "cluster": 12,
    "cli": 13, "__main__": 13,
}  # fmt: skip


def stage_of(module: str) -> int:
    parts = module.split(".")
    name = parts[1] if len(parts) > 1 and parts[0] == "analyzer" else parts[0]
    assert name in STAGES, f"analyzer.{name} has no stage in tests/test_layering.py: add it"
    return STAGES[name]


def imported_modules(path: Path) -> set[str]:
    relative = path.relative_to(PACKAGE.parent).with_suffix("")
    package = list(relative.parts[:-1])
    found = set()
    for node in ast.walk(ast.parse(path.read_text("utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package[: len(package) - node.level + 1]
            target = ".".join(base + ([node.module] if node.module else []))
            if node.module is None:  # from . import x: x is a submodule or a name in the package
                folder = PACKAGE.parent.joinpath(*target.split("."))
                for alias in node.names:
                    is_module = (folder / f"{alias.name}.py").exists() or (folder / alias.name).is_dir()
                    found.add(f"{target}.{alias.name}" if is_module else target)
            else:
                found.add(target)
        elif isinstance(node, ast.ImportFrom) and node.module and node.module.startswith("analyzer"):
            found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("analyzer"))
    return {m for m in found if m != "analyzer"}


def test_no_module_imports_a_later_stage():
    violations = []
    for path in sorted(PACKAGE.rglob("*.py")):
        module = ".".join(path.relative_to(PACKAGE.parent).with_suffix("").parts)
        own = stage_of(module)
        for target in imported_modules(path):
            if stage_of(target) > own:
                violations.append(f"{module} imports {target}")
    assert not violations, "\n".join(violations)


def test_nothing_imports_the_cli():
    for path in PACKAGE.rglob("*.py"):
        if path.stem not in {"cli", "__main__"}:
            assert "analyzer.cli" not in imported_modules(path), path
