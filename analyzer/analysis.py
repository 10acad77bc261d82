"""Runs the detectors over plain text or over a transcript.

The engine orchestrates and never detects: each detector in `analyzer.detect` reads normalised
text and returns spans; this module attaches segment ids, timecodes, speakers and roles.
"""

from __future__ import annotations

from bisect import bisect_right
from dataclasses import dataclass, replace
from datetime import datetime
from zoneinfo import ZoneInfo

from .detect.amounts import extract_amounts
from .detect.callinfo import prohibited_hours_finding
from .detect.conduct import detect_conduct
from .detect.dates import extract_dates
from .lexicon import LexiconSet, default_lexicons
from .normalize import normalize
from .types import CallInfo, Segment, TextAnalysis, Transcript

DEFAULT_TIMEZONE = "Asia/Shanghai"


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


@dataclass(frozen=True)
class _ChannelText:
    """The segments of one channel, read as one text: Whisper cuts segments mid-phrase
    (打断你|的腿, 下|个月十号, 一万|二), and so may diarization and pause splitting, so detectors
    must see across the cuts. Who said a span is the speaker of the segment it starts in."""

    segments: tuple[Segment, ...]
    offsets: tuple[int, ...]  # where each segment's text starts in `text`

    @property
    def text(self) -> str:
        return "".join(s.text for s in self.segments)

    def locate(self, start: int, end: int) -> tuple[Segment, int, int, float, float]:
        """The segment a span starts in, the span's offsets in that segment's text (clipped to
        it), and the span's times across every segment it covers."""
        first = bisect_right(self.offsets, start) - 1
        times = []
        for index in range(first, len(self.segments)):
            base, seg = self.offsets[index], self.segments[index]
            if base >= end and index > first:
                break
            times.append(span_times(seg, max(start - base, 0), min(end - base, len(seg.text))))
        seg, base = self.segments[first], self.offsets[first]
        return seg, start - base, min(end - base, len(seg.text)), min(t[0] for t in times), max(t[1] for t in times)


def _channel_texts(segments: tuple[Segment, ...]) -> list[_ChannelText]:
    """One text per channel, its segments in time order (the other channel's speech in between
    does not cut a sentence the speaker continues after it)."""
    channels: dict[int | None, list[Segment]] = {}
    for seg in segments:
        channels.setdefault(seg.channel, []).append(seg)
    texts = []
    for group in channels.values():
        offsets = [0]
        for seg in group[:-1]:
            offsets.append(offsets[-1] + len(seg.text))
        texts.append(_ChannelText(tuple(group), tuple(offsets)))
    return texts


def analyze_transcript(
    transcript: Transcript,
    call: CallInfo,
    *,
    lexicons: LexiconSet | None = None,
) -> TextAnalysis:
    """Run every detector over each channel's text; each result carries the id of the segment it starts in,
    its timecodes, speaker and role. Offsets are into that segment's `text` (a span running on
    into the next segment is clipped there; its quote and times cover all of it). Metadata flags
    (calls at prohibited hours) come from `call`, not from speech."""
    lexicons = lexicons or default_lexicons()
    call_time = parse_call_time(call.start_time, call.timezone)
    findings, suppressed, amounts, dates = [], [], [], []
    for channel_text in _channel_texts(transcript.segments):
        result = analyze_text(channel_text.text, call_time, lexicons=lexicons, timezone=call.timezone)
        for f in result.findings:
            seg, start, end, t0, t1 = channel_text.locate(f.start, f.end)
            findings.append(
                replace(f, start=start, end=end, segment_id=seg.id, t_start=t0, t_end=t1, speaker=seg.speaker, role=seg.role)
            )
        for sup in result.suppressed:
            seg, start, end, _, _ = channel_text.locate(sup.start, sup.end)
            suppressed.append(replace(sup, start=start, end=end, segment_id=seg.id))
        for mention, bucket in [*((a, amounts) for a in result.amounts), *((d, dates) for d in result.dates)]:
            seg, start, end, t0, t1 = channel_text.locate(mention.start, mention.end)
            bucket.append(replace(mention, start=start, end=end, segment_id=seg.id, t_start=t0, t_end=t1))
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
