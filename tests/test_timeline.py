"""Cross-call timeline: calls per number per day, night calls, flags, amounts that change, frequency."""

from __future__ import annotations

from analyzer.store import CATALOG_NAME, Catalog
from analyzer.timeline import build_timeline, timeline_csv

from .test_store import _store, make_record

A, B = "13800138000", "13900139000"


def _calls():
    day = "2024-05-03T{}:00+08:00"
    return [
        # four calls from A on 3 May (one at 23:10, one demanding a different amount) -> call_frequency
        make_record(
            "a1.wav",
            ["还三千"],
            number=A,
            start_time=day.format("09:00"),
            amounts=["3000"],
            duration_s=30,
        ),
        make_record(
            "a2.wav",
            ["废物"],
            number=A,
            start_time=day.format("11:00"),
            findings=[("insult", 0)],
            duration_s=30,
        ),
        make_record(
            "a3.wav",
            ["还五千"],
            number=A,
            start_time=day.format("15:00"),
            amounts=["5000"],
            duration_s=60,
        ),
        make_record(
            "a4.wav",
            ["晚上"],
            number=A,
            start_time=day.format("23:10"),
            findings=[("prohibited_hours", 0)],
            duration_s=60,
        ),
        # three calls from B on 3 May: at the threshold, not above it; the same amount each time
        *[
            make_record(
                f"b{i}.wav",
                ["还一千"],
                number=B,
                start_time=day.format(f"1{i}:00"),
                amounts=["1000"],
            )
            for i in range(3)
        ],
        # one call from A on 4 May, and one call with no known number or time
        make_record(
            "a5.wav",
            ["还五千"],
            number=A,
            start_time="2024-05-04T10:00:00+08:00",
            amounts=["5000"],
        ),
        make_record("x.wav", ["喂"], duration_s=6),
    ]


def _check(rows):
    by_key = {(r.number, r.day): r for r in rows}
    assert list(by_key) == [
        (A, "2024-05-03"),
        (A, "2024-05-04"),
        (B, "2024-05-03"),
        ("unknown", "unknown"),
    ]
    a3 = by_key[(A, "2024-05-03")]
    assert (a3.calls, a3.connected_minutes, a3.prohibited_hours_calls) == (4, 3.0, 1)
    assert a3.flags == {"insult": 1, "prohibited_hours": 1}
    assert a3.amounts == ("3000", "5000") and a3.amounts_changed and a3.call_frequency
    a4 = by_key[(A, "2024-05-04")]
    assert not a4.amounts_changed and not a4.call_frequency  # 5000 again, like the previous call
    b = by_key[(B, "2024-05-03")]
    assert b.calls == 3 and not b.call_frequency and not b.amounts_changed
    unknown = by_key[("unknown", "unknown")]
    assert unknown.calls == 1 and not unknown.call_frequency


def test_timeline_from_records():
    rows = build_timeline(_calls())
    _check(rows)
    assert not any(r.call_frequency for r in build_timeline(_calls(), max_calls_per_day=4))


def test_timeline_from_catalog_and_csv(tmp_path):
    with Catalog(tmp_path / CATALOG_NAME) as catalog:
        for record in _calls():
            _store(catalog, record, tmp_path)
    rows = build_timeline(tmp_path)  # the OUT folder, or the catalog file itself
    _check(rows)
    assert build_timeline(tmp_path / CATALOG_NAME) == rows
    text = timeline_csv(rows)
    assert text.startswith("\ufeffnumber,date,calls,")
    assert f"{A},2024-05-03,4,3.00,1,yes,insult=1; prohibited_hours=1,3000; 5000,yes," in text
