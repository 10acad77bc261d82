"""The engine reads a channel's segments as one text, so phrases cut by Whisper or diarization are found."""

from __future__ import annotations

from decimal import Decimal

from analyzer.analysis import analyze_transcript
from analyzer.types import CallInfo, ModelInfo, Segment, Transcript, Word

CALL = CallInfo(start_time="2024-05-08T10:00:00+08:00")


def seg(i, words, speaker="unknown", channel=None):
    text = "".join(w[2] for w in words)
    ws = tuple(Word(a, b, t, 0.9) for a, b, t in words)
    return Segment(i, ws[0].start, ws[-1].end, text, text, ws, channel=channel, speaker=speaker)


def transcript(*segments):
    return Transcript(tuple(segments), "zh", ModelInfo("m", None), {})


def test_spans_across_segment_cuts_are_found_with_their_times():
    result = analyze_transcript(
        transcript(
            seg(0, [(0.0, 0.5, "笨蛋"), (0.5, 1.0, ","), (1.0, 1.5, "你"), (1.5, 2.0, "不")], speaker="speaker1"),
            seg(1, [(2.0, 2.5, "想活"), (2.5, 3.0, "了吗,"), (3.0, 3.5, "你欠"), (3.5, 4.0, "一万")], speaker="speaker2"),
            seg(2, [(4.0, 4.5, "二,"), (4.5, 5.0, "下")]),
            seg(3, [(5.0, 5.5, "个月"), (5.5, 6.0, "十号还")]),
        ),
        CALL,
    )
    threat = next(f for f in result.findings if f.category == "violent_threat")
    assert (threat.segment_id, threat.start, threat.end, threat.quote) == (0, 3, 5, "你不想活")
    assert (threat.t_start, threat.t_end) == (1.0, 2.5)
    assert threat.speaker == "speaker1"  # who said it: the segment the span starts in
    amount = next(a for a in result.amounts)
    assert (amount.value, amount.segment_id, amount.quote, amount.t_start, amount.t_end) == (
        Decimal("12000"), 1, "一万二", 3.5, 4.5,
    )
    date = next(d for d in result.dates if d.quote == "下个月十号")
    assert (date.value, date.segment_id, date.t_start) == ("2024-06-10", 2, 4.5)


def test_channels_are_never_read_together():
    result = analyze_transcript(
        transcript(
            seg(0, [(0.0, 1.0, "打断你")], speaker="left", channel=0),
            seg(1, [(0.5, 1.5, "的腿")], speaker="right", channel=1),
        ),
        CALL,
    )
    assert not [f for f in result.findings if f.category == "violent_threat"]


def test_calls_at_night_are_flagged_from_metadata():
    result = analyze_transcript(transcript(seg(0, [(0.0, 1.0, "喂")])), CallInfo(start_time="2024-05-08T23:10:00+08:00"))
    assert [f.category for f in result.findings] == ["prohibited_hours"]
