"""Runs the detectors over plain text or over a transcript.

The engine orchestrates and never detects: each detector in `analyzer.detect` reads normalised
text and returns spans; this module attaches segment ids, timecodes, speakers and roles.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from zoneinfo import ZoneInfo

from .detect.amounts import extract_amounts
from .detect.callinfo import prohibited_hours_finding
from .detect.conduct import detect_conduct
from .detect.dates import extract_dates
from .lexicon import LexiconSet, default_lexicons
from .normalize import normalize
from .types import Amount, CallInfo, Segment, TextAnalysis, Transcript

DEFAULT_TIMEZONE = "Asia/Shanghai"
_CONTEXT_CHARS = 8  # of the previous segment, enough for 下|个月十号, 一万|二, 星期三|之前


def parse_call_time(value: datetime | str | None, timezone: str = DEFAULT_TIMEZONE) -> datetime | None:
    """An aware datetime from a datetime or ISO string; naive values are read in `timezone`."""
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=ZoneInfo(timezone))
    return moment


def analyze_text(
    text: str,
    call_time: datetime | str | None = None,
    *,
    lexicons: LexiconSet | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> TextAnalysis:
    """Flags, amounts and dates in one text; spans are offsets into `text` itself."""
    lexicons = lexicons or default_lexicons()
    norm = normalize(text)
    findings, suppressed = detect_conduct(norm, lexicons)
    return TextAnalysis(
        text=text,
        findings=tuple(findings),
        suppressed=tuple(suppressed),
        amounts=tuple(extract_amounts(norm)),
        dates=tuple(extract_dates(norm, parse_call_time(call_time, timezone))),
    )


def span_times(segment: Segment, start: int, end: int) -> tuple[float, float]:
    """Seconds into the recording of characters [start, end) of `segment.text`.

    Word timestamps are used where the word texts line up with the segment text (they do for
    Whisper's output: the words concatenate to the raw text, which has the text's length);
    otherwise the segment's own bounds are returned.
    """
    spans: list[tuple[int, int, float, float]] = []
    position = 0
    for word in segment.words:
        piece = word.text.strip()
        if not piece:
            continue
        found = segment.text.find(piece, position)
        if found < 0 and len(normalize(piece).text) == len(piece):
            found = segment.text.find(normalize(piece).text, position)
        if found < 0:
            continue
        spans.append((found, found + len(piece), word.start, word.end))
        position = found + len(piece)
    covering = [s for s in spans if s[0] < end and s[1] > start]
    if not covering:
        return segment.start, segment.end
    return min(s[2] for s in covering), max(s[3] for s in covering)


def _amounts_and_dates(seg: Segment, before: Segment | None, call_time: datetime | None):
    """Amounts and dates of `seg`, read with the end of the previous segment in front, because
    ASR segments split 下|个月十号 and 一万|二. Offsets are into `seg.text` (a mention begun in
    the previous segment is clipped to start at 0); also returns how many characters of the
    previous segment the earliest such mention reaches back."""
    context = before.text[-_CONTEXT_CHARS:] if before is not None else ""
    shift = len(context)
    norm = normalize(context + seg.text)
    found = [m for m in (*extract_amounts(norm), *extract_dates(norm, call_time)) if m.end > shift]
    reach = max((shift - m.start for m in found if m.start < shift), default=0)
    moved = []
    for m in found:
        start, end = max(m.start - shift, 0), m.end - shift
        moved.append(replace(m, start=start, end=end, quote=seg.text[start:end]))
    return moved, reach


def analyze_transcript(
    transcript: Transcript,
    call: CallInfo,
    *,
    lexicons: LexiconSet | None = None,
) -> TextAnalysis:
    """Run every detector segment by segment; each result carries its segment id, timecodes,
    speaker and role. Offsets are into that segment's `text`. Metadata flags (calls at
    prohibited hours) come from `call`, not from speech."""
    lexicons = lexicons or default_lexicons()
    call_time = parse_call_time(call.start_time, call.timezone)
    findings, suppressed, amounts, dates = [], [], [], []
    previous: dict[int | None, Segment] = {}  # the last segment of each channel
    for seg in transcript.segments:
        result = analyze_text(seg.text, call_time, lexicons=lexicons, timezone=call.timezone)
        for f in result.findings:
            t0, t1 = span_times(seg, f.start, f.end)
            findings.append(
                replace(f, segment_id=seg.id, t_start=t0, t_end=t1, speaker=seg.speaker, role=seg.role)
            )
        suppressed.extend(replace(s, segment_id=seg.id) for s in result.suppressed)
        before = previous.get(seg.channel)
        previous[seg.channel] = seg
        mentions, reach = _amounts_and_dates(seg, before, call_time)
        if reach:  # a mention begun in the previous segment replaces what was read there alone
            cut = len(before.text) - reach
            amounts[:] = [a for a in amounts if not (a.segment_id == before.id and a.end > cut)]
            dates[:] = [d for d in dates if not (d.segment_id == before.id and d.end > cut)]
        for m in mentions:
            t0, t1 = span_times(seg, m.start, m.end)
            (amounts if isinstance(m, Amount) else dates).append(replace(m, segment_id=seg.id, t_start=t0, t_end=t1))
    hours_flag = prohibited_hours_finding(call)
    if hours_flag is not None:
        findings.insert(0, hours_flag)
    return TextAnalysis(
        text="",
        findings=tuple(findings),
        suppressed=tuple(suppressed),
        amounts=tuple(amounts),
        dates=tuple(dates),
    )
