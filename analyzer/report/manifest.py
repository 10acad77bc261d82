"""Integrity: manifest.json (what went in, with which tool, model and lexicon) and MANIFEST.sha256
(every output file, in `sha256sum` format so standard tools can check it), and `verify`.

The SQLite catalog (`catalog.sqlite*`) changes on every run, so it is deliberately not covered."""

from __future__ import annotations

import json
import os
from dataclasses import dataclass, field
from pathlib import Path

from .. import __version__
from ..audio import sha256_file
from ..types import CallRecord

MANIFEST_JSON = "manifest.json"
MANIFEST_SHA = "MANIFEST.sha256"
MANIFEST_VERSION = "1"


OS_CLUTTER = {"Thumbs.db", "desktop.ini"}  # written by file browsers just for opening the folder


def is_covered(relative: str) -> bool:
    """Outputs the checksum list covers: not itself, not the live catalog, not hidden files (our
    temporary files; .DS_Store) or other file-browser clutter."""
    name = relative.rsplit("/", 1)[-1]
    return not (
        relative == MANIFEST_SHA or name.startswith(("catalog.sqlite", ".")) or name in OS_CLUTTER
    )


def output_files(out_dir: Path) -> list[str]:
    """Every covered regular file under OUT, as sorted POSIX paths relative to OUT."""
    found = []
    for dirpath, dirnames, filenames in os.walk(out_dir):
        dirnames.sort()
        for name in filenames:
            path = Path(dirpath) / name
            relative = path.relative_to(out_dir).as_posix()
            if path.is_file() and not path.is_symlink() and is_covered(relative):
                found.append(relative)
    return sorted(found)


def _escape_name(name: str) -> tuple[str, str]:
    """GNU sha256sum's escaping: a leading backslash marks a line whose name has \\ or a newline."""
    if "\\" not in name and "\n" not in name and "\r" not in name:
        return "", name
    return "\\", name.replace("\\", "\\\\").replace("\n", "\\n").replace("\r", "\\r")


def _unescape_name(name: str) -> str:
    out, i = [], 0
    while i < len(name):
        if name[i] == "\\" and i + 1 < len(name):
            out.append({"\\": "\\", "n": "\n", "r": "\r"}.get(name[i + 1], name[i + 1]))
            i += 2
        else:
            out.append(name[i])
            i += 1
    return "".join(out)


def render_checksums(out_dir: Path) -> str:
    lines = []
    for relative in output_files(out_dir):
        prefix, name = _escape_name(relative)
        lines.append(f"{prefix}{sha256_file(out_dir / relative)}  {name}\n")
    return "".join(lines)


def read_checksums(text: str) -> list[tuple[str, str]]:
    """(sha256, relative path) pairs from a `sha256sum` listing."""
    entries = []
    for line in text.splitlines():
        escaped = line.startswith("\\")
        digest, sep, name = line[1:].partition("  ") if escaped else line.partition("  ")
        if not sep:
            digest, sep, name = (line[1:] if escaped else line).partition(" *")
        if sep and len(digest) == 64:
            entries.append((digest.lower(), _unescape_name(name) if escaped else name))
    return entries


def previous_inputs(out_dir: Path) -> dict[str, str]:
    """relative path -> absolute input path from an earlier manifest.json (for `report OUT`)."""
    try:
        data = json.loads((out_dir / MANIFEST_JSON).read_text(encoding="utf-8"))
        return {i["path"]: i["absolute_path"] for i in data.get("inputs", []) if i.get("absolute_path")}
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return {}


def _unique(items: list[dict]) -> list[dict]:
    seen, out = set(), []
    for item in items:
        key = json.dumps(item, sort_keys=True)
        if key not in seen:
            seen.add(key)
            out.append(item)
    return out


def render_manifest(
    calls: list[tuple[CallRecord, str]], errors: list[dict], inputs: dict[str, str], generated_at: str
) -> str:
    """manifest.json: each input as hashed before analysis, and what produced each output.
    `calls`: (record, JSON path relative to OUT); `inputs`: relative path -> absolute input path."""
    entries = []
    for record, json_rel in calls:
        src = record.source
        entries.append({
            "path": src.path,
            "absolute_path": inputs.get(src.path),
            "size": src.size,
            "sha256": src.sha256,
            "duration_s": src.duration_s,
            "format": src.format,
            "output": json_rel,
            "analysed_at": record.analysed_at,
            "timings": record.timings,
            "model": {"name": record.transcript.model.name, "sha256": record.transcript.model.sha256},
            "lexicon": {"version": record.lexicon.version, "sha256": record.lexicon.sha256} if record.lexicon else None,
            "settings": record.transcript.settings,
        })
    failed = []
    for err in errors:
        absolute = inputs.get(err.get("path", ""))
        present = absolute is not None and Path(absolute).is_file()
        failed.append({
            "path": err.get("path"),
            "absolute_path": absolute,
            "size": Path(absolute).stat().st_size if present else None,
            "sha256": sha256_file(Path(absolute)) if present else None,
            "error": err.get("error"),
        })
    data = {
        "manifest_version": MANIFEST_VERSION,
        "tool": {"name": "call-analyzer", "version": __version__},
        "generated_at": generated_at,
        "models": _unique([e["model"] for e in entries]),
        "lexicons": _unique([e["lexicon"] for e in entries if e["lexicon"]]),
        "inputs": entries,
        "failed": failed,
        "checksums": MANIFEST_SHA,
        "not_covered": "catalog.sqlite* (the SQLite catalog changes on every run)",
    }
    return json.dumps(data, ensure_ascii=False, indent=1) + "\n"


@dataclass
class VerifyResult:
    problems: list[str] = field(default_factory=list)
    outputs: int = 0
    inputs: int = 0
    absent_inputs: list[str] = field(default_factory=list)  # recordings not at their recorded path: not checked


def check(out_dir: Path) -> VerifyResult:
    """Re-hash every listed output and every input whose absolute path the manifest recorded."""
    out_dir = Path(out_dir)
    result = VerifyResult()
    try:
        listing = (out_dir / MANIFEST_SHA).read_text(encoding="utf-8")
    except OSError:
        result.problems.append(f"missing: {MANIFEST_SHA} (nothing to verify against)")
        return result
    listed = read_checksums(listing)
    names = set()
    for digest, name in listed:
        names.add(name)
        path = out_dir / name
        if not path.is_file():
            result.problems.append(f"missing output: {name}")
        elif sha256_file(path) != digest:
            result.problems.append(f"changed output: {name}")
        else:
            result.outputs += 1
    for name in output_files(out_dir):
        if name not in names:
            result.problems.append(f"unlisted output (not in {MANIFEST_SHA}): {name}")
    result.problems += _check_inputs(out_dir, result)
    return result


def _check_inputs(out_dir: Path, result: VerifyResult) -> list[str]:
    try:
        data = json.loads((out_dir / MANIFEST_JSON).read_text(encoding="utf-8"))
    except OSError:
        return [f"missing output: {MANIFEST_JSON} (inputs cannot be checked)"]
    except ValueError:
        return [f"changed output: {MANIFEST_JSON} is not valid JSON"]
    problems = []
    for entry in data.get("inputs", []) + data.get("failed", []):
        absolute, digest = entry.get("absolute_path"), entry.get("sha256")
        if not absolute or not digest:
            continue
        path = Path(absolute)
        if not path.is_file():  # verified "where present": OUT may travel without the recordings
            result.absent_inputs.append(absolute)
        elif path.stat().st_size != entry.get("size") or sha256_file(path) != digest:
            problems.append(f"changed input: {absolute}")
        else:
            result.inputs += 1
    return problems


def verify(out_dir: Path) -> list[str]:
    """Every problem found, one line each; empty when outputs and inputs are as recorded."""
    return check(out_dir).problems
