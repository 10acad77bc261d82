"""Integrity: MANIFEST.sha256 checks with standard sha256sum, and `call-analyzer verify` names
every changed or missing output and input; inputs are never modified."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from dataclasses import replace
from pathlib import Path

import numpy as np
import pytest
import soundfile
from click.testing import CliRunner

from analyzer.audio import sha256_file
from analyzer.cli import main
from analyzer.record import dumps
from analyzer.report import write_batch_outputs, write_call_outputs
from analyzer.report.manifest import read_checksums, render_checksums, verify
from tests.conftest_reports import make_record


@pytest.fixture()
def batch(tmp_path):
    """OUT for two recordings (one in a subfolder, one with a space and a backslash in its name)."""
    inputs, out = tmp_path / "inputs", tmp_path / "out"
    rate = 8000
    paths = {}
    for relative in ("sub/call2.wav", "other call\\1.wav"):
        path = inputs / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        soundfile.write(path, 0.1 * np.sin(np.arange(3 * rate) / 5.0), rate)
        paths[relative] = path
    stats = {p: (p.read_bytes(), p.stat().st_mtime_ns) for p in paths.values()}  # before anything reads them
    for relative, path in paths.items():
        record = make_record(path=relative)
        record = replace(record, source=replace(record.source, size=path.stat().st_size, sha256=sha256_file(path)))
        json_path = out / (relative + ".json")
        json_path.parent.mkdir(parents=True, exist_ok=True)
        json_path.write_text(dumps(record), encoding="utf-8")
        write_call_outputs(out, json_path, record, audio_path=path, clips=relative == "sub/call2.wav")
    (out / "errors.json").write_text("[]\n", encoding="utf-8")
    write_batch_outputs(out, inputs={k: str(v) for k, v in paths.items()})
    return out, paths, stats


def run_verify(out: Path):
    return CliRunner().invoke(main, ["verify", str(out)])


def test_fresh_output_verifies(batch):
    out, paths, stats = batch
    result = run_verify(out)
    assert result.exit_code == 0, result.output
    listed = read_checksums((out / "MANIFEST.sha256").read_text(encoding="utf-8"))
    assert f"OK: {len(listed)} outputs, 2 inputs verified" in result.output
    names = {name for _, name in listed}
    assert {"index.html", "manifest.json", "calls.csv", "findings.csv", "errors.json", "sub/call2.wav.html"} <= names
    assert "MANIFEST.sha256" not in names
    manifest = json.loads((out / "manifest.json").read_text(encoding="utf-8"))
    assert {i["absolute_path"] for i in manifest["inputs"]} == {str(p.resolve()) for p in paths.values()}
    assert (out / "sub" / "call2.wav.clips").is_dir()  # the recordings were decoded for clips
    for path, (data, mtime) in stats.items():  # inputs untouched: bytes and mtime
        assert path.read_bytes() == data and path.stat().st_mtime_ns == mtime


@pytest.mark.skipif(shutil.which("sha256sum") is None, reason="coreutils sha256sum not installed")
def test_standard_sha256sum_accepts_the_listing(batch):
    out, _, _ = batch
    (out / "catalog.sqlite").write_bytes(b"changes on every run")
    (out / "sub" / ".DS_Store").write_bytes(b"file-browser clutter")
    check = subprocess.run(["sha256sum", "--strict", "-c", "MANIFEST.sha256"], cwd=out, capture_output=True, text=True, check=False)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "other call\\1.wav.html: OK" in check.stdout
    assert run_verify(out).exit_code == 0  # neither the live catalog nor hidden clutter is covered


@pytest.mark.parametrize("victim", ["sub/call2.wav.html", "sub/call2.wav.json", "manifest.json"])
def test_one_changed_byte_is_named(batch, victim):
    out, _, _ = batch
    path = out / victim
    data = bytearray(path.read_bytes())
    data[len(data) // 2] ^= 0x01
    path.write_bytes(bytes(data))
    result = run_verify(out)
    assert result.exit_code == 1
    assert f"changed output: {victim}" in result.output


def test_deleted_and_added_outputs_are_named(batch):
    out, _, _ = batch
    (out / "sub" / "call2.wav.srt").unlink()
    (out / "sub" / "extra.html").write_text("x")
    problems = verify(out)
    assert "missing output: sub/call2.wav.srt" in problems
    assert any("sub/extra.html" in p for p in problems)


def test_changed_input_fails_and_absent_input_is_named(batch):
    out, paths, _ = batch
    recording = paths["sub/call2.wav"]
    data = bytearray(recording.read_bytes())
    data[-1] ^= 0x01
    recording.write_bytes(bytes(data))
    paths["other call\\1.wav"].unlink()
    result = run_verify(out)
    assert result.exit_code == 1
    assert f"changed input: {recording.resolve()}" in result.output
    absent = paths["other call" + chr(92) + "1.wav"].resolve()
    assert f"not checked (recording not found at its recorded path): {absent}" in result.output


def test_missing_manifest_fails_clearly(tmp_path):
    result = run_verify(tmp_path)
    assert result.exit_code == 1 and "MANIFEST.sha256" in result.output


def test_checksum_listing_round_trips_awkward_names(tmp_path):
    for name in ("a b.txt", "back\\slash.txt", "new\nline.txt"):
        (tmp_path / name).write_text(name)
    listed = {n: d for d, n in read_checksums(render_checksums(tmp_path))}
    assert set(listed) == {"a b.txt", "back\\slash.txt", "new\nline.txt"}
    assert not verify_listing_problems(tmp_path)


def verify_listing_problems(folder: Path) -> list[str]:
    (folder / "MANIFEST.sha256").write_text(render_checksums(folder), encoding="utf-8")
    return [p for p in verify(folder) if "manifest.json" not in p]


def test_report_command_regenerates_and_still_verifies(batch):
    out, _, _ = batch
    result = CliRunner().invoke(main, ["report", str(out), "--lang", "en"])
    assert result.exit_code == 0, result.output
    assert 'lang="en"' in (out / "sub" / "call2.wav.html").read_text(encoding="utf-8")
    assert run_verify(out).exit_code == 0
    os.remove(out / "index.html")
    assert "missing output: index.html" in run_verify(out).output
