"""Load and validate the conduct lexicons (`lexicons/*.toml`, one file per category).

Lexicons are data a lawyer or a reviewer can read and edit, so every mistake in them must be
reported with the file, the line and the problem instead of surfacing as a wrong flag later.
The set's version and SHA-256 go into every output: a flag can be traced to the exact words
that produced it.
"""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Callable
from pathlib import Path

try:  # Python 3.11+
    import tomllib
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    import tomli as tomllib

import numpy as np

from .errors import LexiconError
from .types import LexiconInfo

# In a wheel the lexicons sit inside the package; in a source checkout (and editable install) beside it.
_INSTALLED = Path(__file__).resolve().parent / "lexicons"
BUILTIN_DIR = _INSTALLED if _INSTALLED.is_dir() else Path(__file__).resolve().parent.parent / "lexicons"
SEVERITIES = ("high", "medium", "low")
# "none": the words alone are enough; "listener": a listener word (你/您/你们/你家...) must follow
# as the object (弄死你, not 打死我也没钱); "addressed": the listener must be in the clause, or
# the clause is the insult alone (笨蛋！); "not_speaker": anything but the speaker's own plan
# (我去网贷借钱 is the borrower talking).
OBJECT_RULES = ("none", "listener", "addressed", "not_speaker")
CONTEXT_RULES = ("negation", "reported", "question", "lawful")
LAWFUL_ACTIONS = ("suppress", "low")
_UNBOUNDED_GROUP = re.compile(r"\)(?:[*+]|\{\d+,\})")

CATEGORY_KEYS = {
    "id", "name_zh", "name_en", "severity", "basis", "context", "description", "classes", "entries", "yields_to",
}
# {name} in a pattern stands for one of the words of the file's class `name` (synonym classes:
# persons, verbs, places), so one compositional pattern covers every combination of its parts.
_CLASS_REF = re.compile(r"\{([a-z_]+)\}")
CATEGORY_REQUIRED = ("id", "name_zh", "name_en", "severity", "basis")
ENTRY_KEYS = {
    "id", "terms", "slips", "patterns", "object", "severity", "confidence",
    "not_before", "not_after", "idioms", "lawful", "note", "also", "weak",
}


@dataclass(frozen=True)
class Entry:
    """One rule: words (matched on jieba token boundaries) and/or regexes, plus its context needs."""

    id: str
    terms: tuple[str, ...]
    slips: tuple[str, ...]  # common ASR mis-hearings of the terms; matched with lower confidence
    patterns: tuple[re.Pattern, ...]
    object: str
    severity: str
    confidence: float
    not_before: tuple[str, ...]  # text right after the match that makes it a look-alike (垃圾|短信)
    not_after: tuple[str, ...]  # text right before the match that makes it a look-alike
    idioms: tuple[str, ...]  # set phrases containing the match that are not the conduct (砍一刀)
    lawful: str  # what lawful framing does: "suppress" or downgrade to "low"
    note: str
    also: tuple[str, ...] = ()  # further category ids the same words amount to (one act, two wrongs)
    weak: bool = False  # its matches are often another category or none: flags need the model's support


@dataclass(frozen=True)
class Category:
    id: str
    name_zh: str
    name_en: str
    severity: str
    basis: tuple[str, ...]
    context: frozenset[str]  # which context rules may suppress this category's candidates
    description: str
    entries: tuple[Entry, ...]
    source: str  # file the category came from
    # Graver categories that absorb this one in the same clause (上门铐人 is a false legal claim,
    # not also a visit threat).
    yields_to: tuple[str, ...] = ()


# The statistical second opinion (analyzer/detect/conduct_model.py) travels with the lexicons.
MODEL_FILE = "conduct_model.json"


@dataclass(frozen=True, eq=False)
class ConductModel:
    """Logistic-regression weights over character n-grams, one column per category."""

    version: str
    orders: tuple[int, ...]  # n-gram lengths
    categories: tuple[str, ...]
    thresholds: dict[str, float]  # probability at which a category is flagged
    bias: np.ndarray  # one value per category
    rows: dict[str, int]  # n-gram -> row of `weights`
    weights: np.ndarray  # one row per n-gram, one column per category


def parse_model(name: str, data: bytes) -> ConductModel:
    """The model file, or a LexiconError naming the file and the problem."""
    try:
        raw = json.loads(data.decode("utf-8"))
        categories = tuple(raw["categories"])
        grams = sorted(raw["weights"])
        weights = np.array([raw["weights"][g] for g in grams], dtype=np.float64)
        if weights.shape != (len(grams), len(categories)):
            raise ValueError("every weight row needs one value per category")
        return ConductModel(
            version=str(raw["version"]),
            orders=tuple(int(n) for n in raw["orders"]),
            categories=categories,
            thresholds={c: float(raw["thresholds"][c]) for c in categories},
            bias=np.array([float(raw["bias"][c]) for c in categories], dtype=np.float64),
            rows={g: i for i, g in enumerate(grams)},
            weights=weights,
        )
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise LexiconError(f"lexicon {name}: not valid UTF-8 JSON ({exc})") from None
    except (KeyError, TypeError, ValueError, AttributeError) as exc:
        raise LexiconError(f"lexicon {name}: missing or malformed field ({exc})") from None


@dataclass(frozen=True)
class LexiconSet:
    info: LexiconInfo
    categories: dict[str, Category]
    model: ConductModel | None = field(default=None, compare=False)

    def words(self) -> list[str]:
        """Every term and slip, for the tokenizer's user dictionary."""
        return sorted({w for c in self.categories.values() for e in c.entries for w in (*e.terms, *e.slips)})


def _line_of(text: str, key: str, entry_index: int | None) -> int:
    """1-based line of `key = ...` inside the top level (entry_index None) or the n-th [[entries]]."""
    lines = text.splitlines()
    headers = [i for i, line in enumerate(lines) if re.match(r"\s*\[\[\s*entries\s*\]\]", line)]
    if entry_index is None:
        lo, hi = 0, headers[0] if headers else len(lines)
    else:
        lo = headers[entry_index] if entry_index < len(headers) else 0
        hi = next((h for h in headers if h > lo), len(lines))
    for i in range(lo, hi):
        if re.match(rf"\s*{re.escape(key)}\s*=", lines[i]):
            return i + 1
    return lo + 1


def _find_literal(text: str, literal: str, fallback: int) -> int:
    """Line where a string value appears in the file (for bad regexes)."""
    for candidate in (literal, literal.replace("\\", "\\\\").replace('"', '\\"')):
        at = text.find(candidate)
        if at >= 0:
            return text.count("\n", 0, at) + 1
    return fallback


class _FileCheck:
    """Validation helpers that know the file's name and text, so every error names its line."""

    def __init__(self, name: str, text: str):
        self.name, self.text = name, text

    def fail(self, problem: str, key: str, entry_index: int | None = None, line: int | None = None):
        line = line or _line_of(self.text, key, entry_index)
        raise LexiconError(f"lexicon {self.name}, line {line}: {problem}")

    def strings(self, table: dict, key: str, entry_index: int | None, required: bool = False) -> tuple[str, ...]:
        value = table.get(key, [] if not required else None)
        if value is None:
            self.fail(f"missing required field '{key}'", key, entry_index)
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v.strip() for v in value):
            self.fail(f"'{key}' must be a list of non-empty strings", key, entry_index)
        return tuple(v.strip() for v in value)

    def choice(self, table: dict, key: str, allowed: tuple[str, ...], default: str, entry_index: int | None):
        value = table.get(key, default)
        if value not in allowed:
            self.fail(f"bad {key} {value!r}; expected one of {', '.join(allowed)}", key, entry_index)
        return value


def _parse_classes(check: _FileCheck, raw: dict) -> dict[str, str]:
    """The file's synonym classes, each as a non-capturing alternation (longest words first)."""
    table = raw.get("classes", {})
    if not isinstance(table, dict):
        check.fail("'classes' must be a table of name = [words]", "classes")
    classes = {}
    for name in table:
        if not re.fullmatch(r"[a-z_]+", name):
            check.fail(f"class name {name!r} must be lowercase letters and '_'", name)
        words = sorted(set(check.strings(table, name, None)), key=lambda w: (-len(w), w))
        classes[name] = "(?:" + "|".join(map(re.escape, words)) + ")"
    return classes


def _expand(
    check: _FileCheck, source: str, classes: dict[str, str], entry_id: str, index: int, line: Callable[[], int]
) -> str:
    def replace(m: re.Match) -> str:
        if m.group(1) not in classes:
            check.fail(f"pattern {source!r} in entry '{entry_id}' uses unknown class {{{m.group(1)}}}",
                       "patterns", index, line())
        return classes[m.group(1)]

    return _CLASS_REF.sub(replace, source)


def _parse_entry(
    check: _FileCheck, raw, index: int, category_severity: str, seen: set[str], classes: dict[str, str]
) -> Entry:
    if not isinstance(raw, dict):
        check.fail("each [[entries]] must be a table", "entries")
    unknown = sorted(set(raw) - ENTRY_KEYS)
    if unknown:
        check.fail(f"unknown key '{unknown[0]}' in entry (allowed: {', '.join(sorted(ENTRY_KEYS))})", unknown[0], index)
    entry_id = raw.get("id")
    if not isinstance(entry_id, str) or not re.fullmatch(r"[a-z0-9_]+", entry_id or ""):
        check.fail("entry needs an 'id' of lowercase letters, digits and '_'", "id", index)
    if entry_id in seen:
        check.fail(f"duplicate entry id '{entry_id}'", "id", index)
    seen.add(entry_id)
    terms, slips = check.strings(raw, "terms", index), check.strings(raw, "slips", index)
    sources = check.strings(raw, "patterns", index)
    if not (terms or slips or sources):
        check.fail(f"entry '{entry_id}' has no terms, slips or patterns", "id", index)
    patterns = []
    for source in sources:
        # The line is only looked up for an error message: finding it costs more than the parse.
        def line(source=source) -> int:
            return _find_literal(check.text, source, _line_of(check.text, "patterns", index))

        expanded = _expand(check, source, classes, entry_id, index, line)
        try:
            patterns.append(re.compile(expanded))
        except re.error as exc:
            check.fail(f"bad regular expression {source!r} in entry '{entry_id}': {exc}", "patterns", index, line())
        if _UNBOUNDED_GROUP.search(expanded):
            check.fail(
                f"pattern {source!r} in entry '{entry_id}' repeats a group without a limit ( )* or )+ ), "
                "which can make matching hang on repeated words; use a bound such as ){0,4}",
                "patterns", index, line(),
            )
    confidence = raw.get("confidence", 0.9)
    if not isinstance(confidence, (int, float)) or isinstance(confidence, bool) or not 0 < confidence <= 1:
        check.fail("'confidence' must be a number in (0, 1]", "confidence", index)
    note = raw.get("note", "")
    if not isinstance(note, str):
        check.fail("'note' must be a string", "note", index)
    if not isinstance(raw.get("weak", False), bool):
        check.fail("'weak' must be true or false", "weak", index)
    return Entry(
        id=entry_id,
        terms=terms,
        slips=slips,
        patterns=tuple(patterns),
        object=check.choice(raw, "object", OBJECT_RULES, "none", index),
        severity=check.choice(raw, "severity", SEVERITIES, category_severity, index),
        confidence=float(confidence),
        not_before=check.strings(raw, "not_before", index),
        not_after=check.strings(raw, "not_after", index),
        idioms=check.strings(raw, "idioms", index),
        lawful=check.choice(raw, "lawful", LAWFUL_ACTIONS, "suppress", index),
        note=note,
        also=check.strings(raw, "also", index),
        weak=raw.get("weak", False),
    )


def parse_category(name: str, data: bytes) -> Category:
    """One lexicon file -> Category, or LexiconError naming the file, line and problem."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise LexiconError(f"lexicon {name}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    try:
        raw = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise LexiconError(f"lexicon {name}: invalid TOML: {exc}") from None  # message carries line/column
    check = _FileCheck(name, text)
    unknown = sorted(set(raw) - CATEGORY_KEYS)
    if unknown:
        check.fail(f"unknown key '{unknown[0]}' (allowed: {', '.join(sorted(CATEGORY_KEYS))})", unknown[0])
    for key in CATEGORY_REQUIRED:
        if key not in raw:
            check.fail(f"missing required field '{key}'", key, line=1)
    for key in ("id", "name_zh", "name_en"):
        if not isinstance(raw[key], str) or not raw[key].strip():
            check.fail(f"'{key}' must be a non-empty string", key)
    if not re.fullmatch(r"[a-z0-9_]+", raw["id"]):
        check.fail("'id' must be lowercase letters, digits and '_'", "id")
    severity = check.choice(raw, "severity", SEVERITIES, "high", None)
    context = check.strings(raw, "context", None) if "context" in raw else CONTEXT_RULES
    bad = [c for c in context if c not in CONTEXT_RULES]
    if bad:
        check.fail(f"unknown context rule '{bad[0]}' (known: {', '.join(CONTEXT_RULES)})", "context")
    entries_raw = raw.get("entries", [])
    if not isinstance(entries_raw, list):
        check.fail("'entries' must be an array of tables ([[entries]])", "entries")
    seen: set[str] = set()
    classes = _parse_classes(check, raw)
    entries = tuple(_parse_entry(check, e, i, severity, seen, classes) for i, e in enumerate(entries_raw))
    return Category(
        id=raw["id"],
        name_zh=raw["name_zh"].strip(),
        name_en=raw["name_en"].strip(),
        severity=severity,
        basis=check.strings(raw, "basis", None, required=True),
        context=frozenset(context),
        description=str(raw.get("description", "")),
        entries=entries,
        source=name,
        yields_to=check.strings(raw, "yields_to", None),
    )


def _read_dir(folder: Path) -> dict[str, bytes]:
    if not folder.is_dir():
        raise LexiconError(f"lexicon folder {folder} does not exist or is not a folder")
    files = {p.name: p.read_bytes() for p in sorted(folder.glob("*.toml"))}
    if (folder / MODEL_FILE).is_file():
        files[MODEL_FILE] = (folder / MODEL_FILE).read_bytes()
    return files


def load_lexicons(extra_dir: Path | None = None) -> LexiconSet:
    """The built-in lexicons, with files from `extra_dir` added or replacing built-ins.

    A file replaces the built-in file of the same name; a category id defined in `extra_dir`
    replaces the built-in category with that id.
    """
    files, extra = _lexicon_files(extra_dir)
    model = parse_model(MODEL_FILE, files[MODEL_FILE]) if MODEL_FILE in files else None
    categories: dict[str, Category] = {}
    origin: dict[str, bool] = {}
    for name in sorted((n for n in files if n != MODEL_FILE), key=lambda n: (n in extra, n)):
        category = parse_category(name, files[name])
        is_extra = name in extra
        if category.id in categories and origin[category.id] == is_extra:
            raise LexiconError(
                f"lexicon {name}: category id '{category.id}' is already defined in {categories[category.id].source}"
            )
        categories[category.id] = category
        origin[category.id] = is_extra
    for category in categories.values():
        if unknown := [c for c in category.yields_to if c not in categories]:
            raise LexiconError(f"lexicon {category.source}: 'yields_to' names unknown category '{unknown[0]}'")
        for entry in category.entries:
            unknown = [c for c in entry.also if c not in categories]
            if unknown:
                raise LexiconError(
                    f"lexicon {category.source}: entry '{entry.id}' names unknown category '{unknown[0]}' in 'also'"
                )
    version_file = BUILTIN_DIR / "VERSION"
    version = version_file.read_text(encoding="utf-8").strip() if version_file.is_file() else "unversioned"
    if extra:
        version += "+custom"
    return LexiconSet(LexiconInfo(version=version, sha256=_digest(files)), categories, model)


def _lexicon_files(extra_dir: Path | None) -> tuple[dict[str, bytes], dict[str, bytes]]:
    """Every file of the set (built-ins replaced by same-named files of `extra_dir`), and the extra ones."""
    builtin = _read_dir(BUILTIN_DIR)
    extra = _read_dir(Path(extra_dir)) if extra_dir is not None else {}
    if extra_dir is not None and not extra:
        raise LexiconError(f"lexicon folder {extra_dir} holds no .toml files")
    return {**builtin, **extra}, extra


def _digest(files: dict[str, bytes]) -> str:
    digest = hashlib.sha256()
    for name in sorted(files):
        digest.update(name.encode("utf-8") + b"\0" + files[name] + b"\0")
    return digest.hexdigest()


def lexicon_sha256(extra_dir: Path | None = None) -> str:
    """The SHA-256 that `load_lexicons(extra_dir).info` records, from the bytes alone: a batch
    deciding which calls are already done needs it without compiling hundreds of patterns."""
    return _digest(_lexicon_files(extra_dir)[0])


@lru_cache(maxsize=1)
def builtin_category_names() -> dict[str, tuple[str, str]]:
    """id -> (name_zh, name_en) of the built-in categories, read without compiling any pattern:
    a report needs only the names."""
    names = {}
    for path in sorted(BUILTIN_DIR.glob("*.toml")):
        raw = tomllib.loads(path.read_text(encoding="utf-8"))
        names[raw["id"]] = (raw["name_zh"], raw["name_en"])
    return names


@lru_cache(maxsize=1)
def default_lexicons() -> LexiconSet:
    """The built-in lexicons, loaded once per process."""
    return load_lexicons()
