"""The canonical transcript JSON: CallRecord <-> plain dict, the one format every report is built from.

Decimals are written as strings (exact money values), tuples as lists. `SCHEMA_VERSION` changes
whenever a field changes meaning; `analyzer/schema/transcript.schema.json` describes it.
"""

from __future__ import annotations

import json
from dataclasses import asdict, fields
from decimal import Decimal
from pathlib import Path

from .types import (
    Amount,
    AudioInfo,
    CallInfo,
    CallRecord,
    DateMention,
    Finding,
    LexiconInfo,
    ModelInfo,
    Segment,
    Suppressed,
    Transcript,
    Word,
)

SCHEMA_VERSION = "1.0"
SCHEMA_PATH = Path(__file__).resolve().parent / "schema" / "transcript.schema.json"


def _plain(value):
    """Dataclass field values -> JSON values (Decimal -> str, tuple -> list)."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, (list, tuple)):
        return [_plain(v) for v in value]
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    return value


def _dict(obj) -> dict:
    return {k: _plain(v) for k, v in asdict(obj).items()}


def _segment_dict(seg: Segment) -> dict:
    data = _dict(seg)
    data["words"] = [_dict(w) for w in seg.words]
    return data


def to_dict(record: CallRecord) -> dict:
    """The canonical JSON object for one recording."""
    return {
        "schema_version": SCHEMA_VERSION,
        "tool": {"name": "call-analyzer", "version": record.tool_version},
        "source": _dict(record.source),
        "call": _dict(record.call),
        "model": _dict(record.transcript.model),
        "lexicon": _dict(record.lexicon) if record.lexicon else None,
        "language": record.transcript.language,
        "settings": _plain(record.transcript.settings),
        "analysed_at": record.analysed_at,
        "timings": _plain(record.timings),
        "speakers": _plain(record.speakers),
        "segments": [_segment_dict(s) for s in record.transcript.segments],
        "findings": [_dict(f) for f in record.findings],
        "suppressed": [_dict(s) for s in record.suppressed],
        "amounts": [_dict(a) for a in record.amounts],
        "dates": [_dict(d) for d in record.dates],
    }


def _build(cls, data: dict, **overrides):
    names = {f.name for f in fields(cls)}
    values = {k: v for k, v in data.items() if k in names}
    values.update(overrides)
    return cls(**values)


def _amount(data: dict) -> Amount:
    value_max = data.get("value_max")
    return _build(
        Amount,
        data,
        value=Decimal(data["value"]),
        value_max=Decimal(value_max) if value_max is not None else None,
    )


def from_dict(data: dict) -> CallRecord:
    """Rebuild the typed record from its canonical JSON (reports never re-transcribe)."""
    segments = tuple(
        _build(Segment, s, words=tuple(_build(Word, w) for w in s.get("words", ())))
        for s in data["segments"]
    )
    transcript = Transcript(
        segments=segments,
        language=data.get("language", "zh"),
        model=_build(ModelInfo, data["model"]),
        settings=data.get("settings", {}),
    )
    lexicon = data.get("lexicon")
    return CallRecord(
        source=_build(AudioInfo, data["source"]),
        call=_build(CallInfo, data.get("call") or {}),
        transcript=transcript,
        lexicon=_build(LexiconInfo, lexicon) if lexicon else None,
        speakers=data.get("speakers", {}),
        findings=tuple(_build(Finding, f, basis=tuple(f.get("basis", ()))) for f in data.get("findings", ())),
        suppressed=tuple(_build(Suppressed, s) for s in data.get("suppressed", ())),
        amounts=tuple(_amount(a) for a in data.get("amounts", ())),
        dates=tuple(_build(DateMention, d) for d in data.get("dates", ())),
        tool_version=data.get("tool", {}).get("version", ""),
        analysed_at=data.get("analysed_at", ""),
        timings=data.get("timings", {}),
    )


def dumps(record: CallRecord) -> str:
    """Stable text: sorted keys would scramble reading order, so field order is fixed by to_dict."""
    return json.dumps(to_dict(record), ensure_ascii=False, indent=1) + "\n"


def load(path: Path) -> CallRecord:
    return from_dict(json.loads(Path(path).read_text(encoding="utf-8")))
