"""The embedded model is joined once, verified, published atomically, and reused."""

from __future__ import annotations

import hashlib
import multiprocessing
import os
from pathlib import Path

import pytest

from analyzer import models
from analyzer.errors import ModelError


def _join_in(home: str, queue) -> None:
    os.environ["CALL_ANALYZER_HOME"] = home
    queue.put(str(models.embedded_model_dir()))


def test_two_processes_joining_at_once_get_one_verified_model(tmp_path):
    ctx = multiprocessing.get_context("spawn")
    queue = ctx.Queue()
    workers = [ctx.Process(target=_join_in, args=(str(tmp_path), queue)) for _ in range(2)]
    for w in workers:
        w.start()
    for w in workers:
        w.join(120)
        assert w.exitcode == 0
    folders = {queue.get(timeout=5) for _ in workers}
    assert len(folders) == 1
    folder = Path(folders.pop())
    digest = hashlib.sha256(folder.joinpath("model.bin").read_bytes()).hexdigest()
    assert digest == models.EMBEDDED_SHA256
    assert {p.name for p in folder.iterdir()} >= {"model.bin", "config.json", "tokenizer.json", "vocabulary.json"}
    # no staging folders or half-written files are left behind
    assert [p.name for p in folder.parent.iterdir()] == [folder.name]


def test_cached_model_is_reused_without_rejoining(tmp_path, monkeypatch):
    monkeypatch.setenv("CALL_ANALYZER_HOME", str(tmp_path))
    first = models.embedded_model_dir()
    mtime = first.joinpath("model.bin").stat().st_mtime_ns
    monkeypatch.setattr(models, "_join_parts", lambda target: pytest.fail("joined again"))
    assert models.embedded_model_dir() == first
    assert first.joinpath("model.bin").stat().st_mtime_ns == mtime


def test_a_damaged_part_is_refused(tmp_path, monkeypatch):
    monkeypatch.setenv("CALL_ANALYZER_HOME", str(tmp_path / "home"))
    fake = tmp_path / "part"
    fake.write_bytes(b"not the model")
    monkeypatch.setattr(models, "_package_file", lambda package, name: fake)
    with pytest.raises(ModelError, match="damaged"):
        models.embedded_model_dir()
    assert not any((tmp_path / "home" / "models").iterdir())


def test_resolve_model_records_name_and_hash(tmp_path, monkeypatch):
    monkeypatch.setenv("CALL_ANALYZER_HOME", str(tmp_path))
    path, info = models.resolve_model(None)
    assert info.sha256 == models.EMBEDDED_SHA256 and "base" in info.name
    # a folder is taken as it is, with its own model.bin hash
    folder_path, folder_info = models.resolve_model(path)
    assert folder_info.sha256 == models.EMBEDDED_SHA256 and folder_info.name == str(Path(path).resolve())


def test_bad_model_folder_and_offline_name_give_clear_errors(tmp_path, monkeypatch):
    with pytest.raises(ModelError, match="no model.bin"):
        models.resolve_model(str(tmp_path))
    with pytest.raises(ModelError, match="does not exist"):
        models.resolve_model(str(tmp_path / "nope"))
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("HF_HOME", str(tmp_path / "hf"))
    with pytest.raises(ModelError) as err:
        models.resolve_model("small")  # a name goes through faster-whisper's download, which is offline
    assert "no network" in err.value.message and "--model" in err.value.message
