"""SIGKILL the real `analyze` process at several moments of a run over ten recordings, run it
again, and check that every recording ends up analysed exactly once with outputs that verify.
The recordings are speech-free noise (Whisper's VAD drops it), so each run is quick."""

from __future__ import annotations

import json
import os
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from analyzer.audio import sha256_file
from analyzer.store import CATALOG_NAME, Catalog

from .test_batch import settings_now, skip_if_settings_changed, write_noise

COUNT = 10


def _start(folder: Path, out: Path) -> subprocess.Popen:
    return subprocess.Popen(
        [sys.executable, "-m", "analyzer", "analyze", str(folder), "--out", str(out)],
        stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
    )  # fmt: skip


def _kill_after(folder: Path, out: Path, files_done: int, delay: float) -> None:
    """Start a run, wait until it has finished `files_done` files (0: until it starts), wait
    `delay` more seconds, then SIGKILL it."""
    process = _start(folder, out)
    seen = 0
    while seen < files_done:
        line = process.stderr.readline()
        if not line:
            break
        seen += "] done " in line
    time.sleep(delay)
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=60)
    process.stderr.close()


def _done(out: Path) -> dict[str, str]:
    """sha256 -> analysed_at of the calls the catalog says are finished."""
    if not (out / CATALOG_NAME).exists():
        return {}
    db = sqlite3.connect(out / CATALOG_NAME)
    try:
        return dict(db.execute("SELECT sha256, analysed_at FROM calls WHERE status = 'done'"))
    finally:
        db.close()


@pytest.mark.slow
def test_sigkill_at_several_points_then_resume(tmp_path):
    folder, out = tmp_path / "calls", tmp_path / "out"
    for i in range(COUNT):
        write_noise(
            folder / f"1390013900{i % 2}_2024050{3 + i % 3}0{i}1500.wav",
            seconds=1.0,
            seed=i,
        )
    settings = settings_now()
    finished_before: dict[str, str] = {}
    for files_done, delay in ((0, 1.0), (3, 0.0), (6, 0.05)):
        _kill_after(folder, out, files_done, delay)
        done = _done(out)
        # nothing finished earlier was redone (same analysis time), nothing was lost
        if not all(done.get(sha) == at for sha, at in finished_before.items()):
            skip_if_settings_changed(settings)
            pytest.fail(f"a call finished before a kill was redone or lost: {finished_before} -> {done}")
        finished_before = done
    final = subprocess.run(
        [sys.executable, "-m", "analyzer", "analyze", str(folder), "--out", str(out)],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )
    assert final.returncode == 0, final.stderr
    skip_if_settings_changed(settings)
    assert f"skipped {len(finished_before)} already analysed" in final.stdout or not finished_before
    done = _done(out)
    assert all(done[sha] == at for sha, at in finished_before.items())

    inputs = {sha256_file(folder / name): name for name in os.listdir(folder)}
    db = sqlite3.connect(out / CATALOG_NAME)
    assert db.execute("SELECT COUNT(*), COUNT(DISTINCT sha256) FROM calls WHERE status = 'done'").fetchone() == (
        COUNT,
        COUNT,
    )
    assert db.execute("SELECT COUNT(*) FROM calls WHERE status != 'done'").fetchone() == (0,)
    assert sorted(r[0] for r in db.execute("SELECT relative FROM paths")) == sorted(inputs.values())
    assert db.execute(
        "SELECT COUNT(*) FROM (SELECT call_id, segment_id FROM segments GROUP BY 1, 2 HAVING COUNT(*) > 1)"
    ).fetchone() == (0,)
    rows = db.execute("SELECT sha256, json_path FROM calls").fetchall()
    db.close()
    assert {sha for sha, _ in rows} == set(inputs)
    with Catalog(out / CATALOG_NAME) as catalog:
        for sha, json_path in rows:
            record = json.loads((out / json_path).read_text("utf-8"))  # parses: never half-written
            assert record["source"]["sha256"] == sha and record["source"]["path"] == inputs[sha]
            fingerprint, reports = catalog.db.execute(
                "SELECT fingerprint, reports FROM calls WHERE sha256 = ?", (sha,)
            ).fetchone()
            assert catalog.analysis_done(sha, fingerprint) and catalog.reports_current(sha, reports)
    for path in out.rglob("*.json"):
        json.loads(path.read_text("utf-8"))
    try:
        from analyzer.report.manifest import verify
    except ImportError:
        return
    assert verify(out) == []


def analyze_with_two_jobs(folder, out) -> list[str]:
    return [sys.executable, "-m", "analyzer", "analyze", str(folder), "--out", str(out), "--jobs", "2"]


@pytest.mark.slow
def test_ctrl_c_with_two_workers_exits_130_and_resumes(tmp_path):
    folder, out = tmp_path / "calls", tmp_path / "out"
    for i in range(6):
        write_noise(folder / f"call{i}.wav", seconds=1.0, seed=100 + i)
    command = analyze_with_two_jobs(folder, out)
    settings = settings_now()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    while (line := process.stderr.readline()) and "] done " not in line:
        pass
    os.killpg(process.pid, signal.SIGINT)  # what a terminal does: the whole process group gets it
    _, stderr = process.communicate(timeout=60)
    assert process.returncode == 130, stderr
    assert "run the same command again to resume" in stderr and "Traceback" not in stderr
    finished = _done(out)
    assert 1 <= len(finished) < 6
    again = subprocess.run(command, capture_output=True, text=True, timeout=300, check=False)
    assert again.returncode == 0, again.stderr
    skip_if_settings_changed(settings)
    assert f"skipped {len(finished)} already analysed" in again.stdout
    assert len(_done(out)) == 6


@pytest.mark.slow
def test_a_worker_killed_mid_batch_costs_no_file(tmp_path):
    """SIGKILL one worker process (as the OOM killer would): its files are retried alone in a
    fresh pool, so the batch still ends with every file done."""
    psutil = pytest.importorskip("psutil")
    folder, out = tmp_path / "calls", tmp_path / "out"
    for i in range(6):
        write_noise(folder / f"call{i}.wav", seconds=1.0, seed=200 + i)
    command = analyze_with_two_jobs(folder, out)
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    while (line := process.stderr.readline()) and "] done " not in line:
        pass
    workers = [p for p in psutil.Process(process.pid).children(recursive=True) if p.ppid() != process.pid]
    assert workers, "no worker processes found"
    workers[0].kill()
    stdout, stderr = process.communicate(timeout=300)
    assert process.returncode == 0, stderr
    assert "6 analysed, 0 failed" in stdout
    assert len(_done(out)) == 6
