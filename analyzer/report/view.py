"""What every format shows, computed once from a CallRecord: ordering, timecodes, doubt reasons,
highlight spans. Formats only escape and lay out; they never decide."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from decimal import Decimal
from itertools import pairwise
from pathlib import Path

from ..types import CallRecord, Finding, Segment
from .i18n import t

SEVERITY_RANK = {"high": 3, "medium": 2, "low": 1}
LOGPROB_LIMIT = -1.0
WORD_PROB_LIMIT = 0.4
METADATA_HOURS_RULE = "prohibited_hours"


def report_base(json_path: Path) -> Path:
    """OUT/sub/call.mp3.json -> OUT/sub/call.mp3 (the stem every per-call output shares)."""
    return json_path.with_name(json_path.name.removesuffix(".json"))


def timecode(seconds: float | None, *, tenths: bool = True) -> str:
    """'01:23.4' (or '1:01:23.4' past an hour); '—' when a flag has no time (call metadata)."""
    if seconds is None:
        return "—"
    tenth_total = round(seconds * 10) if tenths else int(seconds) * 10
    minutes, tenth_sec = divmod(tenth_total, 600)
    hours, minutes = divmod(minutes, 60)
    sec = f"{tenth_sec // 10:02d}" + (f".{tenth_sec % 10}" if tenths else "")
    return f"{hours}:{minutes:02d}:{sec}" if hours else f"{minutes:02d}:{sec}"


def sorted_findings(record: CallRecord) -> list[Finding]:
    """Recording order; metadata flags (no time) first, ties broken by offsets and category."""
    return sorted(
        record.findings,
        key=lambda f: (
            f.t_start is not None,
            f.t_start or 0.0,
            f.segment_id if f.segment_id is not None else -1,
            f.start,
            f.category,
        ),
    )


def is_borrower_side(finding: Finding) -> bool:
    """Said by the borrower: kept for the record but not a collector violation."""
    return finding.role == "borrower"


def is_hours_flag(finding: Finding) -> bool:
    return finding.category == METADATA_HOURS_RULE or finding.rule_id.endswith(METADATA_HOURS_RULE)


def highest_severity(findings) -> str | None:
    ranked = [f.severity for f in findings if not is_borrower_side(f)]
    return max(ranked, key=lambda s: SEVERITY_RANK.get(s, 0)) if ranked else None


@dataclass(frozen=True)
class CategoryRow:
    category: str
    severity: str
    collector: int
    borrower: int


def category_summary(findings) -> list[CategoryRow]:
    """One row per category: collector-side and borrower-side counts, most severe first."""
    collector = Counter(f.category for f in findings if not is_borrower_side(f))
    borrower = Counter(f.category for f in findings if is_borrower_side(f))
    severity: dict[str, str] = {}
    for f in findings:
        current = severity.get(f.category)
        if current is None or SEVERITY_RANK.get(f.severity, 0) > SEVERITY_RANK.get(current, 0):
            severity[f.category] = f.severity
    rows = [CategoryRow(c, severity[c], collector[c], borrower[c]) for c in severity]
    return sorted(rows, key=lambda r: (-SEVERITY_RANK.get(r.severity, 0), -r.collector, r.category))


def doubt_reasons(segment: Segment, lang: str) -> list[str]:
    """Why a reader should distrust this segment's words more than usual."""
    reasons = []
    if segment.suspect:
        reasons.append(f"{t(lang, 'suspect')}: {segment.suspect}")
    if segment.avg_logprob < LOGPROB_LIMIT:
        reasons.append(t(lang, "avg_logprob", value=segment.avg_logprob))
    low = [w.text.strip() for w in segment.words if w.probability < WORD_PROB_LIMIT]
    if low:
        reasons.append(t(lang, "low_words", count=len(low), words=" ".join(low)))
    return reasons


def speaker_label(segment: Segment, lang: str) -> str:
    """'speaker1 · 催收方 · L': who, their role when known, and the channel of a stereo recording."""
    parts = [segment.speaker] if segment.speaker != "unknown" else []
    if segment.role in ("collector", "borrower"):
        parts.append(t(lang, segment.role))
    if segment.channel is not None:
        parts.append({0: "L", 1: "R"}.get(segment.channel) or f"ch{segment.channel}")
    return " · ".join(parts) or "?"


def speakers_text(speakers: dict, lang: str) -> str:
    """'speaker0: collector (0.82); speaker1: borrower (0.64)' from the record's speaker roles."""
    parts = []
    for label, info in sorted(speakers.items()):
        info = info if isinstance(info, dict) else {}
        role = info.get("role", "unknown")
        confidence = info.get("confidence")
        parts.append(
            f"{label}: {t(lang, role) if role in ('collector', 'borrower') else role}"
            + (f" ({confidence:.2f})" if isinstance(confidence, (int, float)) else "")
        )
    return "; ".join(parts)


@dataclass(frozen=True)
class Mark:
    kind: str  # "flag", "amount" or "date"
    number: int  # 1-based position in the report's list of that kind


def marks_by_segment(record: CallRecord) -> dict[int, list[tuple[int, int, Mark]]]:
    """Character spans to highlight in each segment's text, keyed by segment id."""
    found: dict[int, list[tuple[int, int, Mark]]] = {}
    lists = (("flag", sorted_findings(record)), ("amount", list(record.amounts)), ("date", list(record.dates)))
    for kind, items in lists:
        for number, item in enumerate(items, 1):
            if item.segment_id is not None and item.end > item.start:
                found.setdefault(item.segment_id, []).append((item.start, item.end, Mark(kind, number)))
    return found


def split_spans(text: str, spans: list[tuple[int, int, Mark]]) -> list[tuple[str, tuple[Mark, ...]]]:
    """Cut `text` at every span edge: each piece with the marks covering it (overlaps allowed)."""
    cuts = {0, len(text)}
    clipped = []
    for start, end, mark in spans:
        start, end = max(0, min(start, len(text))), max(0, min(end, len(text)))
        if end > start:
            clipped.append((start, end, mark))
            cuts.update((start, end))
    edges = sorted(cuts)
    pieces = []
    for a, b in pairwise(edges):
        covering = tuple(m for s, e, m in clipped if s <= a and b <= e)
        pieces.append((text[a:b], covering))
    return pieces


def format_amount(value: Decimal, value_max: Decimal | None, currency: str, approximate: bool) -> str:
    text = f"{value:,}" + (f"–{value_max:,}" if value_max is not None else "")
    return ("≈" if approximate else "") + text + f" {currency}"


def settings_text(settings: dict) -> str:
    """'beam_size=5, language=zh, ...' in key order, for headers and CSV."""
    return ", ".join(f"{k}={v}" for k, v in sorted(settings.items()))


def human_size(size: int) -> str:
    if size < 1024:
        return f"{size} B"
    value = float(size)
    for unit in ("KiB", "MiB", "GiB"):
        value /= 1024
        if value < 1024 or unit == "GiB":
            break
    return f"{value:.1f} {unit}"
