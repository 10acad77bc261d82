"""Dates, deadlines, windows and durations, resolved against the call's start."""

from __future__ import annotations

import json
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest

from analyzer.analysis import analyze_text
from analyzer.detect.dates import duration_seconds, extract_dates
from analyzer.normalize import normalize

from .test_detect_amounts import load_eval

SHANGHAI = ZoneInfo("Asia/Shanghai")
CALL = datetime(2024, 5, 8, 10, 0, tzinfo=SHANGHAI)  # a Wednesday morning


def dates(text, call=CALL):
    return [(d.quote, d.kind, d.value, d.value_end) for d in extract_dates(normalize(text), call)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("明天下午三点之前，你必须还两万块钱", [("明天下午三点之前", "deadline", "2024-05-09T15:00:00+08:00", None)]),
        ("五月三十号之前还清", [("五月三十号之前", "deadline", "2024-05-30", None)]),
        ("今晚十二点之前", [("今晚十二点之前", "deadline", "2024-05-09T00:00:00+08:00", None)]),
        ("明天下午两点先还两千", [("明天下午两点", "point", "2024-05-09T14:00:00+08:00", None)]),
        ("我下个星期五还四千", [("下个星期五", "point", "2024-05-17", None)]),
        ("你欠的一万两千元，星期三之前必须还", [("星期三之前", "deadline", "2024-05-15", None)]),
        ("三天之内必须还", [("三天之内", "deadline", "2024-05-11", None)]),
        ("已经三个月了", [("三个月", "duration", "P3M", None)]),
        ("月底之前", [("月底之前", "deadline", "2024-05-31", None)]),
        ("下下周一", [("下下周一", "point", "2024-05-20", None)]),
        ("上礼拜五", [("上礼拜五", "point", "2024-05-03", None)]),
        ("大后天", [("大后天", "point", "2024-05-11", None)]),
        ("年底", [("年底", "point", "2024-12-31", None)]),
        ("十号先付", [("十号", "point", "2024-05-10", None)]),
        ("五号再还", [("五号", "point", "2024-06-05", None)]),
        ("下午三点到五点", [("下午三点到五点", "range", "2024-05-08T15:00:00+08:00", "2024-05-08T17:00:00+08:00")]),
        ("後天下午四點前", [("後天下午四點前", "deadline", "2024-05-10T16:00:00+08:00", None)]),
    ],
)
def test_dates_resolved_against_the_call(text, expected):
    assert dates(text) == expected


def test_a_bare_day_takes_the_month_said_before_it():
    assert [v for _, _, v, _ in dates("下个月十号我发工资，十号先付三千")] == ["2024-06-10", "2024-06-10"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("还一千五 周日", [("周日", "point", "2024-05-12", None)]),  # not "five weeks"
        ("最后期限是月底", [("月底", "deadline", "2024-05-31", None)]),
        ("剩下的下个月还", [("下个月", "range", "2024-06-01", "2024-06-30")]),  # not 下下个月
        ("我现在没钱", []),
        ("你快一点", []),
        ("我每个月可以付两千元", []),
        ("五月再说", [("五月", "range", "2024-05-01", "2024-05-31")]),
        ("以后天天给你打电话", []),  # 以后 + 天天, not 后天
        ("你的账单日是每个月的五号", []),  # a schedule, not a date
        ("周一到周五都可以", [("周一到周五", "range", "2024-05-13", "2024-05-17")]),
        ("晚上七点到九点", [("晚上七点到九点", "range", "2024-05-08T19:00:00+08:00", "2024-05-08T21:00:00+08:00")]),
    ],
)
def test_unpunctuated_asr_traps(text, expected):
    assert dates(text) == expected


def test_unknown_call_time_leaves_relative_dates_unresolved():
    found = extract_dates(normalize("明天下午三点之前，2024年1月5日，三个月"), None)
    assert [(d.kind, d.value, d.resolved) for d in found] == [
        ("deadline", None, False),
        ("point", "2024-01-05", True),  # absolute: nothing to guess
        ("duration", "P3M", True),
    ]


def test_duration_seconds_uses_calendar_conventions():
    assert duration_seconds("P0.5M") == 15 * 86400
    assert duration_seconds("P1W3D") == 10 * 86400
    assert duration_seconds("PT1H30M") == 5400


def test_gold_set_dates_f1():
    evaluation = load_eval()
    _, dates_score = evaluation.gold_scores(evaluation.load_gold())
    assert dates_score.f1 >= 0.92, dates_score.errors


# Expected values for the manifest texts of ../shared/corpus/spliced-calls (call time 2024-05-08 10:00,
# a Wednesday); the texts themselves stay in ../shared.
SPLICED_EXPECTED = {
    "call1_polite_reminder.wav": (
        ["3500"],
        [("point", "2024-05-08"), ("range", "2024-05-01"), ("deadline", "2024-05-20"), ("deadline", "2024-05-20")],
    ),
    "call2_threats_insults.wav": (["20000"], [("duration", "P3M"), ("deadline", "2024-05-09T15:00:00+08:00")]),
    "call3_court_police_contacts.wav": (
        ["36000"], [("deadline", "2024-05-08T17:00:00+08:00"), ("point", "2024-05-09")],
    ),
    "call4_borrower_instalments.wav": (
        ["2000", "3000"],
        [("range", "2024-05-01"), ("point", "2024-06-10"), ("point", "2024-06-10"), ("range", "2024-06-01"),
         ("range", "2024-07-01")],
    ),
    "call5_dialogue_stereo.wav": (
        ["8000", "4000", "5000", "2000", "2000", "6000"],
        [("point", "2024-05-17"), ("point", "2024-05-09"), ("point", "2024-05-09"),
         ("point", "2024-05-09T14:00:00+08:00"), ("deadline", "2024-05-30")],
    ),
    "call6_voicemail_short.wav": (["12000"], [("deadline", "2024-05-15")]),
}


@pytest.mark.shared
def test_spliced_call_manifest_amounts_and_dates():
    from .conftest import CALL_TIME, SPLICED

    manifest = SPLICED / "manifest.jsonl"
    if not manifest.is_file():
        pytest.skip(f"{manifest} is absent (../shared is not checked out here)")
    rows = [json.loads(line) for line in manifest.read_text(encoding="utf-8").splitlines() if line.strip()]
    assert {row["file"] for row in rows} == set(SPLICED_EXPECTED)
    for row in rows:
        result = analyze_text(row["text"], CALL_TIME)
        want_amounts, want_dates = SPLICED_EXPECTED[row["file"]]
        assert [str(a.value) for a in result.amounts] == want_amounts, row["file"]
        assert [(d.kind, d.value) for d in result.dates] == want_dates, row["file"]


def test_mentions_split_across_asr_segments():
    """Whisper's segments cut 下|个月10号 and 三万|六千元; the engine reads a channel's segments as
    one text, so each mention is whole, filed under the segment it starts in."""
    from analyzer.analysis import analyze_transcript
    from analyzer.types import CallInfo, ModelInfo, Segment, Transcript

    texts = ["月可以付2000元,下", "个月10号我发工资,10号先付3000", "一共是三万", "六千元"]
    segments = tuple(Segment(id=i, start=float(i), end=i + 1.0, text=t, raw_text=t) for i, t in enumerate(texts))
    transcript = Transcript(segments=segments, language="zh", model=ModelInfo(name="test", sha256=None), settings={})
    result = analyze_transcript(transcript, CallInfo(start_time="2024-05-08T10:00:00+08:00"))
    assert [(a.segment_id, a.quote, str(a.value)) for a in result.amounts] == [
        (0, "2000元", "2000"), (1, "3000", "3000"), (2, "三万六千元", "36000"),
    ]
    assert [(d.segment_id, d.quote, d.value) for d in result.dates] == [
        (0, "下个月10号", "2024-06-10"), (1, "10号", "2024-06-10"),
    ]
