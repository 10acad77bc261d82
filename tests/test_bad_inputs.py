"""Bad inputs next to good ones: every bad file gets one clear line and a catalog row, the batch
goes on, the good files come out right, exit status 1. Plus: an unwritable output folder fails
before any work (exit 2), and a 2-hour recording decodes in bounded memory."""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import soundfile

from analyzer.store import CATALOG_NAME

from .test_batch import settings_now, skip_if_settings_changed, write_noise


def _cli(*args: str, timeout: int = 600) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analyzer", *args],
        capture_output=True,
        text=True,
        check=False,
        timeout=timeout,
    )


def _clip(source: Path, target: Path, start: float, end: float) -> None:
    data, rate = soundfile.read(source)
    soundfile.write(target, data[int(start * rate) : int(end * rate)], rate)


@pytest.mark.slow
@pytest.mark.shared
def test_mixed_folder_of_good_and_bad_inputs(spliced_dir, tmp_path):
    folder = tmp_path / "phone"
    folder.mkdir()
    _clip(
        spliced_dir / "call2_threats_insults.wav",
        folder / "13800138001_20240503110000.wav",
        5,
        13,
    )
    _clip(
        spliced_dir / "call1_polite_reminder.wav",
        folder / "13800138000_20240503100000.wav",
        5,
        11,
    )
    write_noise(folder / "plain.wav", seed=7).rename(folder / os.fsdecode(b"\xb2\xe2\xca\xd4.wav"))  # GBK bytes
    bad = {
        "empty.wav": "empty file (0 bytes)",
        "notes.mp3": "cannot decode audio",
        "cut.m4a": "cannot decode audio",
        "loop.wav": "symlink loop",
        "pipe.wav": "not a regular file",
    }
    (folder / "empty.wav").write_bytes(b"")
    (folder / "notes.mp3").write_text("meeting notes, not audio\n" * 20, encoding="utf-8")
    (folder / "cut.m4a").write_bytes((folder / "13800138000_20240503100000.wav").read_bytes()[:300][::-1])
    os.symlink("loop.wav", folder / "loop.wav")
    os.mkfifo(folder / "pipe.wav")  # opening it would block forever: must be refused, not read
    if os.geteuid() != 0:  # root reads everything; the FIFO stands in for an unreadable file then
        locked = folder / "locked.wav"
        write_noise(locked, seed=8).chmod(0)
        bad["locked.wav"] = "Permission denied"
    out = folder / "out"  # inside the input folder: must never be analysed itself

    settings = settings_now()
    for run in range(2):  # the second run must give the same answer (and skip the good files)
        done = _cli("analyze", str(folder), "--out", str(out))
        assert done.returncode == 1, done.stderr
        assert "Traceback" not in done.stderr
        failed = [line for line in done.stderr.splitlines() if line.startswith("failed: ")]
        assert len(failed) == len(bad), failed
        for name, reason in bad.items():
            assert any(line.startswith(f"failed: {name}: ") and reason in line for line in failed), (name, failed)
    skip_if_settings_changed(settings)
    assert "skipped 3 already analysed" in done.stdout
    assert "1 file names are not valid UTF-8" in done.stdout

    threats = json.loads((out / "13800138001_20240503110000.wav.json").read_text("utf-8"))
    assert threats["call"]["number"] == "13800138001" and threats["call"]["start_time"].startswith("2024-05-03T11:00")
    assert "insult" in {f["category"] for f in threats["findings"]}
    assert "".join(s["text"] for s in threats["segments"])
    assert (out / "\\xb2\\xe2\\xca\\xd4.wav.json").is_file()
    errors = json.loads((out / "errors.json").read_text("utf-8"))
    assert sorted(e["path"] for e in errors) == sorted(bad)
    db = sqlite3.connect(out / CATALOG_NAME)
    rows = dict(db.execute("SELECT paths.relative, calls.status FROM paths JOIN calls ON calls.id = paths.call_id"))
    db.close()
    assert {k for k, v in rows.items() if v == "failed"} == set(bad)
    assert {k for k, v in rows.items() if v == "done"} == {
        "13800138001_20240503110000.wav", "13800138000_20240503100000.wav", "\\xb2\\xe2\\xca\\xd4.wav",
    }  # fmt: skip
    assert not any("out/" in k for k in rows)


def test_unwritable_output_folder_fails_before_any_work(tmp_path):
    write_noise(tmp_path / "in" / "a.wav")
    blocker = tmp_path / "file"
    blocker.write_text("x")
    done = _cli("analyze", str(tmp_path / "in"), "--out", str(blocker / "out"), timeout=120)
    assert done.returncode == 2
    assert "cannot write to output folder" in done.stderr and "Traceback" not in done.stderr
    assert "a.wav" not in done.stderr + done.stdout  # nothing was analysed


def test_two_hour_recording_decodes_in_bounded_memory(tmp_path):
    """iter_chunks keeps one 10-minute window in memory; decoding 2 hours whole needs ~1.2 GB."""
    path = tmp_path / "long.wav"
    rate, minute = (
        8000,
        np.random.default_rng(0).normal(0, 0.05, 8000 * 60).astype(np.float32),
    )
    with soundfile.SoundFile(path, "w", rate, 1, subtype="PCM_16") as handle:
        for _ in range(120):
            handle.write(minute)
    probe = (
        "import resource, sys\n"
        "from analyzer.audio import iter_chunks\n"
        "before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss\n"
        "total = 0\n"
        "for offset, samples in iter_chunks(sys.argv[1], 600):\n"
        "    assert abs(offset - total / 16000) < 1e-6\n"
        "    total += samples.shape[1]\n"
        "print(total / 16000, (resource.getrusage(resource.RUSAGE_SELF).ru_maxrss - before) / 1024)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", probe, str(path)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert done.returncode == 0, done.stderr
    seconds, grown_mb = map(float, done.stdout.split())
    assert seconds == pytest.approx(7200, abs=0.01)
    assert grown_mb < 400, f"peak memory grew by {grown_mb:.0f} MB"  # about 240 here; whole: about 1170
