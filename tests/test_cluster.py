"""The batch on a real Dask LocalCluster (two worker processes on loopback): the same outputs as
the local runner, and a worker killed mid-task costs nothing but a retry."""

from __future__ import annotations

import json
import os
import re
import signal
import sqlite3
import sys
import threading
import time
from pathlib import Path

import pytest
from click.testing import CliRunner

from analyzer.asr import TranscribeOptions
from analyzer.batch import analyze_folder
from analyzer.cli import main
from analyzer.pipeline import AnalyzeOptions
from tests.conftest import CALL_TIME

# One thread per transcription in both runners: CTranslate2's results depend on the thread count.
OPTIONS = AnalyzeOptions(transcribe=TranscribeOptions(cpu_threads=1), call_time=CALL_TIME)
COMPARED = ["call2_threats_insults.wav", "call3_court_police_contacts.wav", "call6_voicemail_short.wav"]
KILLED = ["call4_borrower_instalments.wav", "call6_voicemail_short.wav"]
REPORTS = (".json", ".md", ".html", ".srt", ".vtt")
# Run-dependent text: when it was analysed / generated, and how long it took.
VOLATILE = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00|(decode|transcribe|detect)_s\W+[\d.]+")


def link_inputs(spliced_dir: Path, folder: Path, names: list[str]) -> Path:
    """A folder of symlinks to some shared calls (the shared corpus is never copied)."""
    folder.mkdir()
    for name in names:
        (folder / name).symlink_to(spliced_dir / name)
    return folder


def comparable(path: Path) -> str | dict:
    if path.suffix == ".json":
        record = json.loads(path.read_text("utf-8"))
        record.pop("analysed_at")
        record.pop("timings")
        return record
    return VOLATILE.sub("<run>", path.read_text("utf-8"))


def done_calls(out: Path) -> list[tuple]:
    with sqlite3.connect(out / "catalog.sqlite") as db:
        return db.execute("SELECT sha256, status, error FROM calls ORDER BY sha256").fetchall()


def test_missing_extra_is_a_clear_usage_error(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, "distributed", None)  # import distributed -> ImportError
    (tmp_path / "in").mkdir()
    result = CliRunner().invoke(main, ["analyze", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--cluster", "local:2"])
    assert result.exit_code == 2
    assert "pip install 'call-analyzer[cluster]'" in result.output


def test_bad_local_spec_is_a_usage_error(tmp_path):
    (tmp_path / "in").mkdir()
    result = CliRunner().invoke(main, ["analyze", str(tmp_path / "in"), "--out", str(tmp_path / "out"), "--cluster", "local:x"])
    assert result.exit_code == 2
    assert "local:N" in result.output


@pytest.mark.slow
def test_cluster_outputs_equal_local_run(spliced_dir, tmp_path):
    pytest.importorskip("distributed")
    inputs = link_inputs(spliced_dir, tmp_path / "in", COMPARED)
    local = analyze_folder([inputs], tmp_path / "local", OPTIONS)
    assert not local.errors
    args = ["analyze", str(inputs), "--out", str(tmp_path / "cluster"), "--cluster", "local:2", "--threads", "1", "--call-time", CALL_TIME]
    result = CliRunner().invoke(main, args)
    assert result.exit_code == 0, result.output

    for name in COMPARED:
        for suffix in REPORTS:
            cluster_file = tmp_path / "cluster" / (name + suffix)
            assert comparable(cluster_file) == comparable(tmp_path / "local" / (name + suffix)), cluster_file.name
    assert done_calls(tmp_path / "cluster") == done_calls(tmp_path / "local")

    again = CliRunner().invoke(main, args)  # resume: nothing is sent to a cluster again
    assert again.exit_code == 0 and f"skipped {len(COMPARED)} already analysed" in again.output


@pytest.mark.slow
def test_worker_killed_mid_task_is_retried_once(spliced_dir, tmp_path):
    distributed = pytest.importorskip("distributed")
    from analyzer.cluster import analyze_on_cluster
    from analyzer.report.manifest import check

    inputs = link_inputs(spliced_dir, tmp_path / "in", KILLED)
    with distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    ) as cluster, distributed.Client(cluster) as client:
        pids = client.run(os.getpid)
        killed: list[str] = []

        def kill_a_busy_worker() -> None:
            """SIGKILL the first worker seen running a recording, a second into it."""
            deadline = time.monotonic() + 120
            while time.monotonic() < deadline and not killed:
                busy = [worker for worker, tasks in client.processing().items() if tasks]
                if busy:
                    time.sleep(1.0)
                    if client.processing().get(busy[0]):
                        os.kill(pids[busy[0]], signal.SIGKILL)
                        killed.append(busy[0])
                time.sleep(0.1)

        killer = threading.Thread(target=kill_a_busy_worker, daemon=True)
        killer.start()
        finished: list[str] = []
        result = analyze_on_cluster(
            [inputs], tmp_path / "out", OPTIONS, scheduler=cluster.scheduler_address,
            on_done=lambda item, record, error: finished.append(item.path.name),
        )  # fmt: skip
        killer.join()

    assert killed, "no worker was killed while it ran a recording"
    assert not result.errors, result.errors
    assert sorted(finished) == sorted(KILLED)  # each file came back exactly once
    assert sorted(r.source.path for r in result.records) == sorted(KILLED)
    calls = done_calls(tmp_path / "out")
    assert len(calls) == len(KILLED) and all(status == "done" for _, status, _ in calls)
    assert sorted(p.name for p in (tmp_path / "out").glob("*.json") if p.name.endswith(".wav.json")) == sorted(
        name + ".json" for name in KILLED
    )
    assert not list((tmp_path / "out").glob(".*.tmp"))
    assert not check(tmp_path / "out").problems
