"""The batch runner: resume, --force, moves and copies recognised by hash, our own outputs never
taken as input, Ctrl-C, odd file names. Transcription is replaced by a stand-in (real decoding,
real catalog and outputs) except in the last test, which times real runs of the CLI."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import numpy as np
import pytest
import soundfile

from analyzer import pipeline
from analyzer.batch import analyze_folder, default_threads
from analyzer.pipeline import AnalyzeOptions
from analyzer.store import CATALOG_NAME

from .test_store import make_record


def write_noise(path: Path, seconds: float = 1.0, seed: int = 0, rate: int = 8000) -> Path:
    """A short distinct recording (different seed, different SHA-256)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    noise = np.random.default_rng(seed).normal(0, 0.01, int(seconds * rate)).astype(np.float32)
    soundfile.write(path, noise, rate)
    return path


@pytest.fixture
def fake_whisper(monkeypatch):
    """analyze_file with the real decoder (so bad audio fails for real) and a made-up transcript."""
    from dataclasses import replace

    from analyzer.audio import decode

    calls = []

    def analyze_file(item, options=None, *, lexicons=None):
        audio = decode(item.path)
        calls.append(item.relative.as_posix())
        record = make_record(
            item.relative.as_posix(),
            ["我们明天上门找你"],
            findings=[("intimidation", 0)],
        )
        return replace(record, source=replace(audio.info, path=item.relative.as_posix()))

    monkeypatch.setattr(pipeline, "analyze_file", analyze_file)
    return calls


def _rows(out: Path, sql: str) -> list[tuple]:
    db = sqlite3.connect(out / CATALOG_NAME)
    try:
        return db.execute(sql).fetchall()
    finally:
        db.close()


def test_second_run_skips_and_force_redoes(tmp_path, fake_whisper):
    for i in range(3):
        write_noise(tmp_path / "in" / f"call{i}.wav", seed=i)
    out = tmp_path / "out"
    first = analyze_folder([tmp_path / "in"], out)
    assert len(fake_whisper) == 3 and not first.errors and first.skipped_done == 0
    assert json.loads((out / "call0.wav.json").read_text("utf-8"))["findings"][0]["category"] == "intimidation"
    second = analyze_folder([tmp_path / "in"], out)
    assert len(fake_whisper) == 3 and second.skipped_done == 3 and len(second.records) == 3
    analyze_folder([tmp_path / "in"], out, force=True)
    assert len(fake_whisper) == 6
    assert _rows(out, "SELECT COUNT(*), COUNT(DISTINCT sha256) FROM calls WHERE status = 'done'") == [(3, 3)]
    assert _rows(out, "SELECT COUNT(*) FROM findings") == [(3,)]  # redone, not duplicated


def test_changed_settings_or_outputs_are_redone(tmp_path, fake_whisper):
    write_noise(tmp_path / "in" / "a.wav", seed=1)
    write_noise(tmp_path / "in" / "b.wav", seed=2)
    out = tmp_path / "out"
    analyze_folder([tmp_path / "in"], out)
    analyze_folder([tmp_path / "in"], out, AnalyzeOptions(call_time="2024-05-08T10:00:00+08:00"))
    assert len(fake_whisper) == 4  # a different call time changes the results: both redone
    (out / "a.wav.json").write_text("{}", encoding="utf-8")  # an edited (or half-written) output
    result = analyze_folder([tmp_path / "in"], out, AnalyzeOptions(call_time="2024-05-08T10:00:00+08:00"))
    assert fake_whisper[4:] == ["a.wav"] and result.skipped_done == 1


def test_new_report_settings_or_a_deleted_report_rewrite_reports_only(tmp_path, fake_whisper):
    from analyzer.batch import ReportOptions

    write_noise(tmp_path / "in" / "a.wav", seed=1)
    out = tmp_path / "out"
    analyze_folder([tmp_path / "in"], out)
    html = out / "a.wav.html"
    if not html.exists():
        pytest.skip("the report writers (analyzer.report) are not installed")
    chinese = html.read_text("utf-8")
    result = analyze_folder([tmp_path / "in"], out, reports=ReportOptions(lang="en"))
    assert fake_whisper == ["a.wav"] and result.skipped_done == 1 and result.reports_rewritten == 1
    assert html.read_text("utf-8") != chinese
    html.unlink()
    result = analyze_folder([tmp_path / "in"], out, reports=ReportOptions(lang="en"))
    assert fake_whisper == ["a.wav"] and result.reports_rewritten == 1 and html.is_file()
    assert analyze_folder([tmp_path / "in"], out, reports=ReportOptions(lang="en")).reports_rewritten == 0


def test_moved_renamed_and_copied_recordings_are_known_by_hash(tmp_path, fake_whisper):
    write_noise(tmp_path / "in" / "a.wav", seed=1)
    shutil.copy(tmp_path / "in" / "a.wav", tmp_path / "in" / "copy-of-a.wav")
    out = tmp_path / "out"
    first = analyze_folder([tmp_path / "in"], out)
    assert fake_whisper == ["a.wav"] and first.duplicates == [("copy-of-a.wav", "a.wav")]
    (tmp_path / "in" / "a.wav").rename(tmp_path / "in" / "renamed.wav")
    second = analyze_folder([tmp_path / "in"], out)
    assert fake_whisper == ["a.wav"] and second.skipped_done == 1
    paths = sorted(r[0] for r in _rows(out, "SELECT relative FROM paths"))
    assert paths == ["a.wav", "copy-of-a.wav", "renamed.wav"]
    assert _rows(out, "SELECT COUNT(*) FROM calls") == [(1,)]


def test_output_folder_inside_input_is_never_analysed(tmp_path, fake_whisper):
    write_noise(tmp_path / "in" / "a.wav", seed=1)
    out = tmp_path / "in" / "out"
    write_noise(out / "a.wav.clips" / "0001.wav", seed=9)  # an audio clip we wrote earlier
    analyze_folder([tmp_path / "in"], out)
    analyze_folder([tmp_path / "in"], tmp_path / "in" / "out2")  # a second output folder: the first is ours too
    assert fake_whisper == ["a.wav", "a.wav"]


def test_non_utf8_file_name(tmp_path, fake_whisper):
    folder = tmp_path / "in"
    name = os.fsdecode(b"13800138000_\xff\xfe.wav")
    write_noise(folder / "plain.wav", seed=3).rename(folder / name)  # libsndfile cannot create such names
    out = tmp_path / "out"
    result = analyze_folder([folder], out)
    assert not result.errors and result.escaped_names == 1
    record = json.loads((out / "13800138000_\\xff\\xfe.wav.json").read_text("utf-8"))
    assert record["source"]["path"] == "13800138000_\\xff\\xfe.wav"
    assert _rows(out, "SELECT relative FROM paths") == [("13800138000_\\xff\\xfe.wav",)]
    (out / "timeline.csv").read_text("utf-8-sig")


def test_ctrl_c_stops_cleanly_and_the_next_run_resumes(tmp_path, monkeypatch, fake_whisper):
    for i in range(4):
        write_noise(tmp_path / "in" / f"call{i}.wav", seed=i)
    real = pipeline.analyze_file

    def interrupted_on_third(item, *args, **kwargs):
        if len(fake_whisper) == 2:
            raise KeyboardInterrupt
        return real(item, *args, **kwargs)

    monkeypatch.setattr(pipeline, "analyze_file", interrupted_on_third)
    out = tmp_path / "out"
    result = analyze_folder([tmp_path / "in"], out)
    assert result.interrupted and len(result.records) == 2
    assert _rows(out, "SELECT COUNT(*) FROM calls") == [(2,)]
    monkeypatch.setattr(pipeline, "analyze_file", real)
    result = analyze_folder([tmp_path / "in"], out)
    assert not result.interrupted and result.skipped_done == 2 and fake_whisper == [f"call{i}.wav" for i in range(4)]


def test_default_threads_share_the_cores():
    cores = len(os.sched_getaffinity(0))
    assert default_threads(1) == cores
    assert default_threads(2) == max(1, cores // 2)
    assert default_threads(10 * cores) == 1


def settings_now() -> str:
    """The settings fingerprint a fresh `analyze` process would compute now."""
    from analyzer.batch import settings_fingerprint

    return settings_fingerprint(AnalyzeOptions())


def skip_if_settings_changed(before: str) -> None:
    """A redo is the right answer when the lexicons were edited during the test (a shared working tree)."""
    if settings_now() != before:
        pytest.skip("lexicons or settings changed while this test ran, so re-analysing was correct")


def _cut_clips(spliced: Path, folder: Path, count: int, seconds: float) -> None:
    """`count` distinct short pieces of the shared calls, named like a phone recorder would."""
    sources = sorted(spliced.glob("*.wav"))
    for i in range(count):
        data, rate = soundfile.read(sources[i % len(sources)])
        start = int((2 + (i // len(sources)) * seconds) * rate)
        soundfile.write(
            folder / f"1380013800{i % 3}_2024050{3 + i % 2}1{i}0000.wav",
            data[start : start + int(seconds * rate)],
            rate,
        )


def _cli(*args: str) -> tuple[subprocess.CompletedProcess, float]:
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "analyzer", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=600,
    )
    return done, time.monotonic() - started


def test_malformed_lexicons_stop_the_batch_before_any_call(tmp_path, fake_whisper):
    from analyzer.errors import LexiconError

    write_noise(tmp_path / "calls" / "a.wav")
    (tmp_path / "lex").mkdir()
    (tmp_path / "lex" / "mine.toml").write_text('id = "mine"\nname_zh = "我的"\n', encoding="utf-8")
    options = AnalyzeOptions(lexicons_dir=tmp_path / "lex")
    with pytest.raises(LexiconError, match="mine.toml, line 1: missing required field 'name_en'"):
        analyze_folder([tmp_path / "calls"], tmp_path / "out", options)
    assert not list((tmp_path / "out").glob("*.json"))


@pytest.mark.slow
@pytest.mark.shared
def test_second_run_over_ten_calls_is_under_5_percent(spliced_dir, tmp_path):
    folder = tmp_path / "calls"
    folder.mkdir()
    _cut_clips(spliced_dir, folder, 10, 6.0)
    settings = settings_now()
    first, t1 = _cli("analyze", str(folder), "--out", str(tmp_path / "out"))
    assert first.returncode == 0, first.stderr
    second, t2 = _cli("analyze", str(folder), "--out", str(tmp_path / "out"))
    assert second.returncode == 0, second.stderr
    skip_if_settings_changed(settings)
    assert "skipped 10 already analysed" in second.stdout
    print(f"first run {t1:.2f}s, second run {t2:.2f}s ({100 * t2 / t1:.1f}%)")
    assert t2 < 0.05 * t1
