"""Call metadata: recorder file names (one test per layout), sources and their order, the sidecar
CSV, and the prohibited-hours flag."""

from __future__ import annotations

import os
from datetime import datetime
from pathlib import Path

import pytest

from analyzer.analysis import analyze_transcript
from analyzer.detect.callinfo import (
    call_info_from_filename,
    load_sidecar,
    prohibited_hours_finding,
    resolve_call_info,
)
from analyzer.errors import InputError
from analyzer.types import CallInfo, ModelInfo, Transcript

START = "2024-01-05T14:30:22+08:00"


@pytest.mark.parametrize(
    ("name", "start", "number"),
    [
        ("通话录音 张三(13800138000)_20240105143022.mp3", START, "13800138000"),  # Xiaomi MIUI
        ("张三(13800138000)_20240105143022.mp3", START, "13800138000"),  # MIUI without the prefix
        ("13800138000 2024-01-05 14-30-22.m4a", START, "13800138000"),  # number + dashed stamp
        ("Call recording 张三_240105_143022.m4a", START, None),  # Samsung One UI
        ("张三 13800138000_20240105143022.m4a", START, "13800138000"),  # Huawei
        ("13800138000_20240105143022.amr", START, "13800138000"),  # Huawei, unknown contact
        ("张三@13800138000_20240105143022.m4a", START, "13800138000"),  # Huawei HarmonyOS
        ("张三_13800138000_20240105143022.m4a", START, "13800138000"),  # vivo
        ("张三-2401051430.m4a", "2024-01-05T14:30:00+08:00", None),  # OPPO ColorOS (no seconds)
        ("13800138000-2401051430.m4a", "2024-01-05T14:30:00+08:00", "13800138000"),  # ColorOS, number
        ("2024-01-05 14-30-22 (phone) 张三 (13800138000).m4a", START, "13800138000"),  # Cube ACR
        ("13800138000_240105_143022.m4a", START, "13800138000"),  # LineageOS dialer
    ],
)
def test_recorder_file_names(name, start, number):
    info = call_info_from_filename(name)
    assert (info.start_time, info.number) == (start, number)
    assert info.start_time_source == "filename"


@pytest.mark.parametrize(
    "name",
    ["recording_001.wav", "call1_polite_reminder.wav", "张三_20241399999999.m4a", "20240105.mp3", "2024-13-45 25-61-00.m4a"],
)
def test_unknown_file_names_give_unknown_not_a_wrong_date(name):
    info = call_info_from_filename(name)
    assert (info.start_time, info.start_time_source, info.number) == (None, None, None)


def test_file_name_times_are_local_to_the_given_timezone():
    info = call_info_from_filename("13800138000_20240105143022.amr", timezone="Europe/Berlin")
    assert info.start_time == "2024-01-05T14:30:22+01:00"


def test_sources_in_order(tmp_path):
    audio = tmp_path / "13800138000_20240105143022.amr"
    audio.write_bytes(b"")
    os.utime(audio, (1_700_000_000, 1_700_000_000))
    sidecar = {audio.name: CallInfo(start_time="2024-02-01T09:00:00+08:00", start_time_source="sidecar",
                                    number="10086", number_source="sidecar")}
    tags = {"creation_time": "2024-03-01T01:00:00.000000Z"}

    user = resolve_call_info(audio, tags=tags, user_time="2024-04-01 23:15", sidecar=sidecar)
    assert (user.start_time, user.start_time_source) == ("2024-04-01T23:15:00+08:00", "user")
    assert (user.number, user.number_source) == ("10086", "sidecar")

    side = resolve_call_info(audio, tags=tags, sidecar=sidecar)
    assert (side.start_time_source, side.number) == ("sidecar", "10086")

    named = resolve_call_info(audio, tags=tags)
    assert (named.start_time, named.start_time_source, named.number_source) == (START, "filename", "filename")

    other = tmp_path / "recording.wav"
    other.write_bytes(b"")
    os.utime(other, (1_700_000_000, 1_700_000_000))
    tagged = resolve_call_info(other, tags=tags)
    assert (tagged.start_time, tagged.start_time_source) == ("2024-03-01T09:00:00+08:00", "tags")

    last = resolve_call_info(other)
    assert last.start_time_source == "mtime"
    assert datetime.fromisoformat(last.start_time).timestamp() == 1_700_000_000
    assert last.number is None


def test_bad_call_time_is_a_clear_input_error(tmp_path):
    with pytest.raises(InputError, match="--call-time"):
        resolve_call_info(tmp_path / "x.wav", user_time="tomorrow")


def test_sidecar_csv(tmp_path):
    csv_path = tmp_path / "calls.csv"
    csv_path.write_text("file,start_time,number\nsub/a.wav,2024-01-05 23:30:00,138-0013-8000\nb.wav,,\n", encoding="utf-8")
    calls = load_sidecar(csv_path)
    assert calls["a.wav"].start_time == "2024-01-05T23:30:00+08:00"
    assert (calls["a.wav"].number, calls["a.wav"].number_source) == ("13800138000", "sidecar")
    assert calls["b.wav"].start_time is None


@pytest.mark.parametrize(
    ("content", "line"),
    [("file,start_time,number\na.wav,yesterday,1\n", "line 2"), ("file,start_time\na.wav,2024-01-05\n,2024-01-05\n", "line 3")],
)
def test_bad_sidecar_rows_name_the_line(tmp_path, content, line):
    csv_path = tmp_path / "calls.csv"
    csv_path.write_text(content, encoding="utf-8")
    with pytest.raises(InputError, match=line):
        load_sidecar(csv_path)


@pytest.mark.parametrize(
    ("start", "flagged"),
    [("2024-01-05T22:00:00+08:00", True), ("2024-01-05T07:59:00+08:00", True), ("2024-01-05T08:00:00+08:00", False),
     ("2024-01-05T21:59:59+08:00", False), ("2024-01-05T15:30:00+00:00", True)],  # 23:30 in Shanghai
)
def test_prohibited_hours(start, flagged):
    finding = prohibited_hours_finding(CallInfo(start_time=start, start_time_source="filename"))
    assert (finding is not None) == flagged
    if finding:
        assert finding.category == "prohibited_hours" and finding.rule_id == "callinfo/prohibited_hours"
        assert "guideline" in finding.basis[0] and "22:00-08:00" in finding.basis[0]


def test_unknown_time_is_never_flagged():
    assert prohibited_hours_finding(CallInfo()) is None


def test_transcript_analysis_puts_the_hours_flag_first():
    transcript = Transcript(segments=(), language="zh", model=ModelInfo(name="test", sha256=None), settings={})
    result = analyze_transcript(transcript, CallInfo(start_time="2024-01-05T23:10:00+08:00"))
    assert result.findings[0].category == "prohibited_hours"
    assert result.findings[0].matched == "call start 23:10"


def test_missing_sidecar_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="Cannot read"):
        load_sidecar(Path(tmp_path / "nope.csv"))


def test_a_time_known_only_from_the_file_date_raises_no_hours_flag():
    from analyzer.detect.callinfo import prohibited_hours_finding
    from analyzer.types import CallInfo

    night = "2024-01-05T23:30:00+08:00"
    assert prohibited_hours_finding(CallInfo(start_time=night, start_time_source="filename")) is not None
    assert prohibited_hours_finding(CallInfo(start_time=night, start_time_source="mtime")) is None
