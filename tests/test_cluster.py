"""The batch on a real Dask LocalCluster (two worker processes on loopback): the same outputs as
the local runner; a worker killed mid-task costs a retry, and one killed on the last try fails
only that recording."""

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

# One thread per transcription in both runners: transcripts depend on CPU thread counts.
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
    assert not (tmp_path / "out").exists()  # refused before any work


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


def kill_a_busy_worker(client) -> list[str]:
    """In the background, SIGKILL the first worker seen running a recording, a second into it;
    the returned list gets that worker's address."""
    pids = client.run(os.getpid)
    killed: list[str] = []

    def watch() -> None:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline and not killed:
            busy = [worker for worker, tasks in client.processing().items() if tasks]
            if busy:
                time.sleep(1.0)
                if client.processing().get(busy[0]):
                    os.kill(pids[busy[0]], signal.SIGKILL)
                    killed.append(busy[0])
            time.sleep(0.1)

    threading.Thread(target=watch, daemon=True).start()
    return killed


def local_cluster(distributed):
    return distributed.LocalCluster(
        n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1", dashboard_address=None
    )


@pytest.mark.slow
def test_worker_killed_mid_task_is_retried_once(spliced_dir, tmp_path):
    distributed = pytest.importorskip("distributed")
    from analyzer.cluster import analyze_on_cluster
    from analyzer.report.manifest import check

    inputs = link_inputs(spliced_dir, tmp_path / "in", KILLED)
    finished: list[str] = []
    with local_cluster(distributed) as cluster, distributed.Client(cluster) as client:
        killed = kill_a_busy_worker(client)
        result = analyze_on_cluster(
            [inputs], tmp_path / "out", OPTIONS, scheduler=cluster.scheduler_address,
            on_done=lambda item, record, error: finished.append(item.path.name),
        )  # fmt: skip

    assert killed, "no worker was killed while it ran a recording"
    assert not result.errors, result.errors
    assert sorted(finished) == sorted(KILLED)  # each file came back exactly once
    assert sorted(r.source.path for r in result.records) == sorted(KILLED)
    calls = done_calls(tmp_path / "out")
    assert len(calls) == len(KILLED) and all(status == "done" for _, status, _ in calls)
    outputs = sorted(p.name for p in (tmp_path / "out").glob("*.wav.json"))
    assert outputs == sorted(name + ".json" for name in KILLED)
    assert not list((tmp_path / "out").glob(".*.tmp"))
    assert not check(tmp_path / "out").problems


@pytest.mark.slow
def test_recording_whose_worker_dies_on_every_try_is_recorded_failed(spliced_dir, tmp_path):
    distributed = pytest.importorskip("distributed")
    import dask

    from analyzer.cluster import analyze_on_cluster

    name = KILLED[-1]
    inputs = link_inputs(spliced_dir, tmp_path / "in", [name])
    with dask.config.set({"distributed.scheduler.allowed-failures": 0}):  # the first death is the last try
        cluster = local_cluster(distributed)
    with cluster, distributed.Client(cluster) as client:
        killed = kill_a_busy_worker(client)
        result = analyze_on_cluster([inputs], tmp_path / "out", OPTIONS, scheduler=cluster.scheduler_address)

    assert killed
    assert [e["path"] for e in result.errors] == [name] and "died" in result.errors[0]["error"]
    assert [status for _, status, _ in done_calls(tmp_path / "out")] == ["failed"]
    assert not list((tmp_path / "out").glob("*.wav.json"))
