"""Shared test setup: no network, the shared corpus (skipped when absent), one transcription of the
spliced calls per session that many tests read."""

from __future__ import annotations

import ipaddress
import json
import os
import socket
from pathlib import Path

import pytest

os.environ["HF_HUB_OFFLINE"] = "1"
os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
SPLICED = SHARED / "corpus" / "spliced-calls"
ZH_SPEECH = SHARED / "corpus" / "zh-speech"
CALL_TIME = "2024-05-08T10:00:00+08:00"  # a Wednesday morning: the reference time for spliced calls

_real_connect = socket.socket.connect


def _loopback_only(sock, address):
    """Tests run offline: any connection that leaves the machine is a bug."""
    if sock.family in (socket.AF_INET, socket.AF_INET6):
        host = address[0]
        try:
            local = host == "localhost" or ipaddress.ip_address(host).is_loopback
        except ValueError:
            local = False
        if not local:
            raise RuntimeError(f"network access blocked in tests: {address!r}")
    return _real_connect(sock, address)


socket.socket.connect = _loopback_only


def _require(path: Path) -> Path:
    if not path.exists():
        pytest.skip(f"shared test material not found at {path} (only present in CI / the dev checkout)")
    return path


@pytest.fixture(scope="session")
def spliced_dir() -> Path:
    return _require(SPLICED)


@pytest.fixture(scope="session")
def zh_speech_dir() -> Path:
    return _require(ZH_SPEECH)


def read_manifest(folder: Path) -> list[dict]:
    return [json.loads(line) for line in (folder / "manifest.jsonl").read_text("utf-8").splitlines() if line.strip()]


@pytest.fixture(scope="session")
def spliced_manifest(spliced_dir) -> dict[str, dict]:
    return {row["file"]: row for row in read_manifest(spliced_dir)}


@pytest.fixture(scope="session")
def analyzed_spliced(spliced_dir, tmp_path_factory) -> dict[str, "CallRecord"]:  # noqa: F821
    """Every spliced call through the real pipeline (real Whisper), once per session, keyed by file name."""
    from analyzer.pipeline import AnalyzeOptions, analyze_folder

    out = tmp_path_factory.mktemp("spliced-out")
    result = analyze_folder([spliced_dir], out, AnalyzeOptions(call_time=CALL_TIME))
    assert not result.errors, result.errors
    return {Path(r.source.path).name: r for r in result.records}


@pytest.fixture(scope="session")
def analyzed_call2(analyzed_spliced):
    return analyzed_spliced["call2_threats_insults.wav"]
