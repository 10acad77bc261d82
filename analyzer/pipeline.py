"""One recording end to end, and a folder of them with the local runner.

audio (hash, decode) -> transcript (faster-whisper) -> findings, amounts, dates -> canonical JSON.
Inputs are only ever opened for reading. Outputs are written atomically.
"""

from __future__ import annotations

import json
import os
import tempfile
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

from . import __version__
from .analysis import analyze_transcript
from .asr import TranscribeOptions, transcribe
from .audio import decode, is_audio_name, mixdown, read_tags
from .detect.callinfo import resolve_call_info
from .errors import AnalyzerError, OutputError
from .lexicon import LexiconSet, load_lexicons
from .models import resolve_model
from .record import dumps
from .types import CallInfo, CallRecord


@dataclass(frozen=True)
class AnalyzeOptions:
    model: str | None = None  # None = the embedded Whisper base
    transcribe: TranscribeOptions = field(default_factory=TranscribeOptions)
    lexicons_dir: Path | None = None
    call_time: str | None = None  # user override for every file
    timezone: str = "Asia/Shanghai"
    sidecar: dict[str, CallInfo] | None = None  # from calls.csv, keyed by file name


@dataclass(frozen=True)
class InputFile:
    path: Path
    root: Path  # folder the user named (or the file's own folder)

    @property
    def relative(self) -> Path:
        return self.path.relative_to(self.root)


@dataclass
class BatchResult:
    records: list[CallRecord] = field(default_factory=list)
    outputs: list[Path] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {"path", "error"}
    skipped_non_audio: int = 0


def discover(paths: Iterable[Path], exclude: Path | None = None) -> tuple[list[InputFile], int]:
    """Audio files under `paths` (recursively, sorted, each real file once) and how many
    non-audio files were skipped. Nothing under `exclude` (our output folder) is taken."""
    found: list[InputFile] = []
    seen: set[Path] = set()
    skipped = 0
    excluded = exclude.resolve() if exclude else None

    def take(path: Path, root: Path) -> None:
        nonlocal skipped
        real = path.resolve()
        if real in seen or (excluded and real.is_relative_to(excluded)):
            return
        seen.add(real)
        if is_audio_name(path):
            found.append(InputFile(path, root))
        else:
            skipped += 1

    for given in paths:
        given = Path(given)
        if given.is_dir():
            for dirpath, dirnames, filenames in os.walk(given, followlinks=False):
                dirnames.sort()
                for name in sorted(filenames):
                    take(Path(dirpath) / name, given)
        else:
            take(given, given.parent)
    return found, skipped


def output_json_path(out_dir: Path, item: InputFile) -> Path:
    """OUT/<path relative to its input root>.json: two call.mp3 in different folders never collide."""
    return out_dir / item.relative.parent / (item.relative.name + ".json")


def write_atomic(path: Path, data: str | bytes) -> None:
    """Temporary file in the same folder, fsync, rename: a reader sees the old file or the whole new one."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=f".{path.name}.", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data.encode("utf-8") if isinstance(data, str) else data)
            handle.flush()
            os.fsync(handle.fileno())
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def analyze_file(
    item: InputFile | Path,
    options: AnalyzeOptions = AnalyzeOptions(),
    *,
    lexicons: LexiconSet | None = None,
) -> CallRecord:
    """Analyse one recording; nothing is written."""
    if not isinstance(item, InputFile):
        item = InputFile(Path(item), Path(item).parent)
    started = time.monotonic()
    audio = decode(item.path)
    decoded = time.monotonic()
    model_path, model_info = resolve_model(options.model)
    transcript = transcribe(mixdown(audio.samples), model_path, model_info, options.transcribe)
    transcribed = time.monotonic()
    lexicons = lexicons or load_lexicons(options.lexicons_dir)
    call = resolve_call_info(
        item.path,
        tags=read_tags(item.path),
        user_time=options.call_time,
        sidecar=options.sidecar,
        timezone=options.timezone,
    )
    found = analyze_transcript(transcript, call, lexicons=lexicons)
    finished = time.monotonic()
    source = audio.info.__class__(**{**audio.info.__dict__, "path": item.relative.as_posix()})
    return CallRecord(
        source=source,
        call=call,
        transcript=transcript,
        lexicon=lexicons.info,
        findings=found.findings,
        suppressed=found.suppressed,
        amounts=found.amounts,
        dates=found.dates,
        tool_version=__version__,
        analysed_at=datetime.now(timezone.utc).isoformat(timespec="seconds"),
        timings={
            "decode_s": round(decoded - started, 3),
            "transcribe_s": round(transcribed - decoded, 3),
            "detect_s": round(finished - transcribed, 3),
        },
    )


def check_output_dir(out_dir: Path) -> None:
    """Fail before any work when the output folder cannot be written."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        probe = tempfile.NamedTemporaryFile(dir=out_dir, prefix=".write-test-", delete=True)
        probe.close()
    except OSError as exc:
        raise OutputError(f"cannot write to output folder {out_dir} ({exc.strerror or exc})") from exc


def analyze_folder(
    paths: Iterable[Path],
    out_dir: Path,
    options: AnalyzeOptions = AnalyzeOptions(),
    *,
    on_start: Callable[[InputFile], None] | None = None,
    on_done: Callable[[InputFile, CallRecord | None, str | None], None] | None = None,
) -> BatchResult:
    """Analyse every recording under `paths`, writing OUT/<relative>.json and OUT/errors.json.
    One bad file never stops the batch."""
    out_dir = Path(out_dir)
    check_output_dir(out_dir)
    items, skipped = discover(paths, exclude=out_dir)
    lexicons = load_lexicons(options.lexicons_dir)
    result = BatchResult(skipped_non_audio=skipped)
    for item in items:
        if on_start:
            on_start(item)
        try:
            record = analyze_file(item, options, lexicons=lexicons)
        except AnalyzerError as exc:
            result.errors.append({"path": item.relative.as_posix(), "error": exc.message})
            if on_done:
                on_done(item, None, exc.message)
            continue
        target = output_json_path(out_dir, item)
        write_atomic(target, dumps(record))
        result.records.append(record)
        result.outputs.append(target)
        if on_done:
            on_done(item, record, None)
    write_atomic(out_dir / "errors.json", json.dumps(result.errors, ensure_ascii=False, indent=1) + "\n")
    return result
