"""`call-analyzer analyze` end to end: real Whisper on a sample call, bad files reported, schema-valid JSON."""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
from pathlib import Path

import jsonschema
import pytest

from analyzer.record import SCHEMA_PATH

REPO = Path(__file__).resolve().parents[1]
SAMPLES = REPO / "samples"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "analyzer", *args], capture_output=True, text=True, cwd=cwd, timeout=600
    )


def validate(document: dict) -> None:
    jsonschema.validate(document, json.loads(SCHEMA_PATH.read_text("utf-8")))


def shortest_sample() -> Path:
    audio = [p for p in SAMPLES.iterdir() if p.suffix in {".ogg", ".wav", ".flac"}]
    if not audio:
        pytest.skip("samples/ holds no recordings")
    import soundfile

    return min(audio, key=lambda p: soundfile.info(str(p)).duration)


@pytest.fixture(scope="module")
def mixed_folder(tmp_path_factory) -> Path:
    """One good recording, a zero-byte .wav, a text file renamed .mp3, a truncated .m4a, a note."""
    from tests.test_audio import tone, write_pyav

    folder = tmp_path_factory.mktemp("mixed")
    good = shortest_sample()
    (folder / "calls").mkdir()
    shutil.copy(good, folder / "calls" / good.name)
    (folder / "empty.wav").write_bytes(b"")
    (folder / "notes.mp3").write_text("催收记录：这不是音频。\n" * 40, encoding="utf-8")
    whole = folder / "whole.m4a"
    write_pyav(whole, tone(3.0, 16000), 16000, "aac")
    (folder / "truncated.m4a").write_bytes(whole.read_bytes()[: whole.stat().st_size // 2])
    whole.unlink()
    (folder / "readme.txt").write_text("not audio", encoding="utf-8")
    return folder


@pytest.fixture(scope="module")
def mixed_run(mixed_folder, tmp_path_factory):
    out = tmp_path_factory.mktemp("out")
    result = run_cli("analyze", str(mixed_folder), "--out", str(out))
    return mixed_folder, out, result


def test_one_json_three_clear_errors_exit_1(mixed_run):
    folder, out, result = mixed_run
    assert result.returncode == 1, result.stderr
    assert "Traceback" not in result.stderr + result.stdout
    documents = {p: json.loads(p.read_text("utf-8")) for p in out.rglob("*.json")}
    records = [p for p, d in documents.items() if isinstance(d, dict) and d.get("schema_version")]
    assert [p.relative_to(out).as_posix() for p in records] == [f"calls/{shortest_sample().name}.json"]
    errors = json.loads((out / "errors.json").read_text("utf-8"))
    assert sorted(e["path"] for e in errors) == ["empty.wav", "notes.mp3", "truncated.m4a"]
    for error in errors:
        assert error["error"] and "\n" not in error["error"]
        assert error["path"] in result.stderr  # one clear line each
    assert "1 non-audio" in result.stdout  # readme.txt skipped and counted


def test_output_is_schema_valid_and_describes_the_source(mixed_run):
    folder, out, _ = mixed_run
    sample = shortest_sample()
    document = json.loads((out / "calls" / f"{sample.name}.json").read_text("utf-8"))
    validate(document)
    from analyzer.audio import sha256_file
    from analyzer.models import EMBEDDED_SHA256

    assert document["source"]["sha256"] == sha256_file(sample)
    assert document["source"]["size"] == sample.stat().st_size
    assert document["model"]["sha256"] == EMBEDDED_SHA256
    assert document["settings"]["language"] == "zh" and document["settings"]["vad_filter"] is True
    assert document["segments"], "the sample call has speech"
    for segment in document["segments"]:
        assert segment["text"] and segment["words"]
        assert 0 <= segment["start"] < segment["end"] <= document["source"]["duration_s"] + 0.5


def test_help_and_version():
    """The version the CLI prints (and every output records) is the one the package is built with."""
    pyproject = (Path(__file__).resolve().parents[1] / "pyproject.toml").read_text(encoding="utf-8")
    declared = re.search(r'^version = "(.+)"$', pyproject, re.M).group(1)
    assert run_cli("--version").stdout.strip().endswith(f" {declared}")
    for command in ("analyze", "report", "verify", "scan"):
        result = run_cli(command, "--help")
        assert result.returncode == 0 and "Usage:" in result.stdout


def test_usage_errors_exit_2(tmp_path):
    result = run_cli("analyze", str(tmp_path / "missing"), "--out", str(tmp_path / "o"))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    result = run_cli("analyze", str(tmp_path), "--out", str(tmp_path / "o"), "--call-time", "yesterday")
    assert result.returncode == 2 and "ISO 8601" in result.stderr
