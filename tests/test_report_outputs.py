"""Per-call and batch outputs from hand-built records: content, empty lists, languages, audio
link/embedding, clips, and byte-identical regeneration."""

from __future__ import annotations

import csv
import io
import re
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile

from analyzer.record import dumps
from analyzer.report import regenerate, write_batch_outputs, write_call_outputs
from analyzer.report.html import CSP, GENERATED_CLASS
from tests.conftest_reports import make_record


def write_record(out: Path, record) -> Path:
    path = out / (record.source.path + ".json")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(dumps(record), encoding="utf-8")
    return path


@pytest.fixture()
def recording(tmp_path) -> Path:
    """A 20 s stereo tone standing in for the original recording (outside OUT)."""
    rate = 8000
    t = np.arange(20 * rate) / rate
    samples = np.stack([0.2 * np.sin(2 * np.pi * 440 * t), 0.2 * np.sin(2 * np.pi * 660 * t)], axis=1)
    path = tmp_path / "inputs" / "sub" / "call2.wav"
    path.parent.mkdir(parents=True)
    soundfile.write(path, samples, rate)
    return path


@pytest.fixture()
def out(tmp_path, recording) -> Path:
    """OUT with one call (audio linked) and one failed file, batch outputs written."""
    out = tmp_path / "out"
    record = make_record()
    write_call_outputs(out, write_record(out, record), record, audio_path=recording)
    (out / "errors.json").write_text('[{"path": "broken.mp3", "error": "cannot decode audio"}]\n', encoding="utf-8")
    write_batch_outputs(out, inputs={record.source.path: str(recording)})
    return out


def test_call_report_contents(out, recording):
    page = (out / "sub" / "call2.wav.html").read_text(encoding="utf-8")
    assert f'content="{CSP}"' in page.replace("&#x27;", "'")
    assert not re.search(r"(src|href)=\"(https?:)?//", page), "no external resources"
    assert '<audio id="player"' in page and 'src="../../inputs/sub/call2.wav"' in page
    assert (out / "sub" / "../../inputs/sub/call2.wav").resolve() == recording.resolve()
    assert page.count('<tr id="flag-') == 4
    assert "借款人方（不计为催收违规）" in page  # the borrower-side flag is shown apart
    assert "并非法律条文" in page  # prohibited hours: guidelines, not statute
    assert "机器转写，请以录音为准" in page
    assert "平均对数概率 -1.40 &lt; -1.0" in page and "repetition loop" in page and "概率 &lt; 0.4" in page
    assert "12378" in page and "12321" in page and "110" in page
    assert "@media print" in page and "size:A4" in page
    # flagged span highlighted at the finding's character offsets, with basis on hover
    assert re.search(r'<mark class="flag sev-high" data-ref="flag-\d" title="[^"]*basis line for violent_threat', page)
    assert 'data-t="6.500"' in page  # the threat's t_start, for the seek button


def test_english_report_and_empty_lists(tmp_path):
    out = tmp_path / "out"
    record = replace(make_record(), findings=(), amounts=(), dates=(), transcript=replace(make_record().transcript, segments=()))
    write_call_outputs(out, write_record(out, record), record, audio_path=None, lang="en")
    page = (out / "sub" / "call2.wav.html").read_text(encoding="utf-8")
    for text in ("No flags found.", "No amounts mentioned.", "No dates mentioned.", "No recording linked.", "Machine transcript"):
        assert text in page
    assert 'lang="en"' in page
    markdown = (out / "sub" / "call2.wav.md").read_text(encoding="utf-8")
    assert "No flags found" in markdown
    assert (out / "sub" / "call2.wav.srt").read_text(encoding="utf-8") == ""
    assert (out / "sub" / "call2.wav.vtt").read_text(encoding="utf-8").startswith("WEBVTT\n")


def test_subtitles_mark_flags(out):
    srt = (out / "sub" / "call2.wav.srt").read_text(encoding="utf-8")
    vtt = (out / "sub" / "call2.wav.vtt").read_text(encoding="utf-8")
    assert "00:00:05,500 --> 00:00:09,500" in srt and "00:00:05.500 --> 00:00:09.500" in vtt
    assert "[⚠ " in srt and "violent_threat]" in srt and "insult]" in vtt


def test_batch_index_and_csvs(out):
    index = (out / "index.html").read_text(encoding="utf-8")
    assert 'href="sub/call2.wav.html"' in index
    assert 'id="category-filter"' in index and 'class="sortable"' in index
    assert "broken.mp3" in index and "cannot decode audio" in index
    for name in ("findings.csv", "calls.csv"):
        raw = (out / name).read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf"), f"{name} needs a BOM for Excel"
    findings = list(csv.DictReader(io.StringIO((out / "findings.csv").read_text(encoding="utf-8-sig"))))
    assert len(findings) == 4 and {r["side"] for r in findings} == {"collector", "borrower"}
    calls = list(csv.DictReader(io.StringIO((out / "calls.csv").read_text(encoding="utf-8-sig"))))
    assert [c["status"] for c in calls] == ["analysed", "failed"]
    assert calls[0]["highest_severity"] == "high" and calls[0]["flags_collector"] == "3"


def test_regenerate_is_byte_identical_apart_from_generated_at(out):
    before = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    regenerate(out)
    after = {p: p.read_bytes() for p in out.rglob("*") if p.is_file()}
    assert set(before) == set(after)

    def strip(data: bytes) -> list[bytes]:
        return [line for line in data.splitlines() if GENERATED_CLASS.encode() not in line
                and b"generated_at" not in line and not line.startswith("报告生成时间".encode())]  # fmt: skip

    for path, data in before.items():
        if path.name != "MANIFEST.sha256":
            assert strip(data) == strip(after[path]), path


def test_embedded_audio_and_clips(tmp_path, recording):
    out = tmp_path / "out"
    record = make_record()
    written = write_call_outputs(out, write_record(out, record), record, audio_path=recording, embed_audio=True, clips=True)
    page = (out / "sub" / "call2.wav.html").read_text(encoding="utf-8")
    assert 'src="data:audio/mpeg;base64,' in page
    clips = sorted(p for p in written if p.suffix == ".wav")
    assert [p.name for p in clips] == [
        "call2.wav_00m06s_violent_threat.wav",
        "call2.wav_00m07s_insult.wav",
        "call2.wav_00m10s_intimidation.wav",
    ]
    info = soundfile.info(str(clips[0]))
    assert info.channels == 2 and info.duration == pytest.approx(3.0 + (9.5 - 6.5) + 3.0, abs=0.01)


def test_report_command_names_a_broken_record(out):
    from click.testing import CliRunner

    from analyzer.cli import main

    (out / "sub" / "call2.wav.json").write_text('{"schema_version": "1.0", "segments": [', encoding="utf-8")
    result = CliRunner().invoke(main, ["report", str(out)])
    assert result.exit_code == 2
    assert "call2.wav.json: cannot read as JSON" in result.output and "Traceback" not in result.output
