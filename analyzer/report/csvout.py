"""findings.csv and calls.csv for spreadsheets: UTF-8 with BOM (so Excel shows Chinese) and every
text cell neutralised against formula injection."""

from __future__ import annotations

import csv
import io

from ..types import CallRecord
from .i18n import category_name
from .view import (
    category_summary,
    format_amount,
    highest_severity,
    is_borrower_side,
    settings_text,
    sorted_findings,
    timecode,
)

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")

FINDING_COLUMNS = (
    "call", "report", "call_time", "number", "flag", "t_start", "t_end", "timecode", "category",
    "category_name", "severity", "side", "quote", "matched", "rule_id", "basis", "confidence",
    "explanation", "speaker", "role", "segment_id",
)  # fmt: skip
CALL_COLUMNS = (
    "call", "report", "status", "error", "size", "sha256", "duration_s", "format", "call_time",
    "call_time_source", "number", "number_source", "flags_collector", "flags_borrower",
    "highest_severity", "categories", "amounts", "deadlines", "analysed_at", "model", "model_sha256",
    "lexicon_version", "lexicon_sha256", "settings",
)  # fmt: skip


def cell(value) -> str | int | float:
    """A spreadsheet-safe cell: text that a spreadsheet would run as a formula gets a leading '."""
    if value is None:
        return ""
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return value
    text = str(value)
    return "'" + text if text.startswith(FORMULA_STARTS) else text


def to_csv(columns, rows) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(columns)
    for row in rows:
        writer.writerow([cell(row.get(c)) for c in columns])
    return "\ufeff" + buffer.getvalue()


def finding_rows(record: CallRecord, report: str, lang: str) -> list[dict]:
    return [
        {
            "call": record.source.path,
            "report": report,
            "call_time": record.call.start_time,
            "number": record.call.number,
            "flag": f"F{n}",
            "t_start": f.t_start,
            "t_end": f.t_end,
            "timecode": timecode(f.t_start),
            "category": f.category,
            "category_name": category_name(f.category, lang),
            "severity": f.severity,
            "side": "borrower" if is_borrower_side(f) else "collector",
            "quote": f.quote,
            "matched": f.matched,
            "rule_id": f.rule_id,
            "basis": " | ".join(f.basis),
            "confidence": f.confidence,
            "explanation": f.explanation,
            "speaker": f.speaker,
            "role": f.role,
            "segment_id": f.segment_id,
        }
        for n, f in enumerate(sorted_findings(record), 1)
    ]


def call_row(record: CallRecord, report: str) -> dict:
    summary = category_summary(record.findings)
    return {
        "call": record.source.path,
        "report": report,
        "status": "analysed",
        "size": record.source.size,
        "sha256": record.source.sha256,
        "duration_s": record.source.duration_s,
        "format": record.source.format,
        "call_time": record.call.start_time,
        "call_time_source": record.call.start_time_source,
        "number": record.call.number,
        "number_source": record.call.number_source,
        "flags_collector": sum(r.collector for r in summary),
        "flags_borrower": sum(r.borrower for r in summary),
        "highest_severity": highest_severity(record.findings) or "",
        "categories": "; ".join(f"{r.category}:{r.collector}" for r in summary if r.collector),
        "amounts": "; ".join(format_amount(a.value, a.value_max, a.currency, a.approximate) for a in record.amounts),
        "deadlines": "; ".join(d.value or d.quote for d in record.dates if d.kind == "deadline"),
        "analysed_at": record.analysed_at,
        "model": record.transcript.model.name,
        "model_sha256": record.transcript.model.sha256,
        "lexicon_version": record.lexicon.version if record.lexicon else "",
        "lexicon_sha256": record.lexicon.sha256 if record.lexicon else "",
        "settings": settings_text(record.transcript.settings),
    }


def render_findings_csv(calls: list[tuple[CallRecord, str]], lang: str) -> str:
    """`calls`: (record, report path relative to OUT) in index order."""
    return to_csv(FINDING_COLUMNS, [row for record, report in calls for row in finding_rows(record, report, lang)])


def render_calls_csv(calls: list[tuple[CallRecord, str]], errors: list[dict]) -> str:
    rows = [call_row(record, report) for record, report in calls]
    rows += [{"call": err.get("path"), "status": "failed", "error": err.get("error")} for err in errors]
    return to_csv(CALL_COLUMNS, rows)
