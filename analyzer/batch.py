"""The batch runner: a folder of recordings -> OUT/<relative>.json (+ reports) and OUT/catalog.sqlite.

Every recording is identified by its SHA-256; a call already done with the same settings
fingerprint (and whose outputs still verify) is skipped, so a re-run, a crash or Ctrl-C costs only
the files in flight. Workers (`jobs` > 1) only analyse; the parent alone writes outputs and the
catalog, in that order, so the catalog never calls a file done before its outputs are on disk.
"""

from __future__ import annotations

import errno
import hashlib
import json
import multiprocessing
import os
import signal
import stat
import tempfile
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import FIRST_COMPLETED, ProcessPoolExecutor, wait
from concurrent.futures.process import BrokenProcessPool
from dataclasses import asdict, dataclass, field, replace
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .audio import is_audio_name, sha256_file
from .errors import AnalyzerError, OutputError
from .fileio import write_atomic
from .store import CATALOG_NAME, Catalog, safe_text

if TYPE_CHECKING:
    from .pipeline import AnalyzeOptions
    from .progress import BatchProgress
    from .types import CallRecord

ERRORS_NAME = "errors.json"
TIMELINE_NAME = "timeline.csv"


@dataclass(frozen=True)
class InputFile:
    path: Path
    root: Path  # folder the user named (or the file's own folder)

    @property
    def relative(self) -> Path:
        return self.path.relative_to(self.root)


@dataclass(frozen=True)
class ReportOptions:
    """What the report writers (analyzer.report, when installed) produce next to each JSON."""

    lang: str = "zh"
    embed_audio: bool = False
    clips: bool = False


@dataclass
class BatchResult:
    records: list[CallRecord] = field(default_factory=list)  # analysed now, or loaded when skipped
    outputs: list[Path] = field(default_factory=list)
    errors: list[dict] = field(default_factory=list)  # {"path", "error"}
    skipped_non_audio: int = 0
    skipped_done: int = 0  # already analysed with the same settings
    duplicates: list[tuple[str, str]] = field(default_factory=list)  # (copy, the path analysed)
    escaped_names: int = 0  # file names that are not UTF-8, shown and stored with \xNN escapes
    reports_rewritten: int = 0  # skipped calls whose reports were redone from their JSON
    interrupted: bool = False


# Runs the analyses somewhere else (analyzer.cluster): gets the (file, sha256) pairs still to do,
# the options and `started(file)` to call as each is sent; yields (file, sha256, record, error)
# as each finishes, in any order, each exactly once.
Executor = Callable[
    [list[tuple[InputFile, str]], "AnalyzeOptions", Callable[[InputFile], None]],
    Iterable[tuple[InputFile, str, "CallRecord | None", "str | None"]],
]


def discover(paths: Iterable[Path], exclude: Path | None = None) -> tuple[list[InputFile], int]:
    """Audio files under `paths` (recursively, sorted, each real file once) and how many
    non-audio files were skipped. Nothing under `exclude` (our output folder) or under any other
    folder holding a catalog (an earlier output folder) is taken. Symlinked folders are not
    followed (no loops); a symlink loop posing as a file is returned and fails when read."""
    found: list[InputFile] = []
    seen: set[str] = set()
    skipped = 0
    excluded = os.path.realpath(exclude) if exclude else None

    def inside_output(real: str) -> bool:
        return excluded is not None and (real == excluded or real.startswith(excluded.rstrip(os.sep) + os.sep))

    def take(path: Path, root: Path) -> None:
        nonlocal skipped
        real = os.path.realpath(path)  # never raises on loops, unlike Path.resolve()
        if real in seen or inside_output(real):
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
                if (Path(dirpath) / CATALOG_NAME).exists() or inside_output(os.path.realpath(dirpath)):
                    dirnames.clear()
                    continue
                dirnames.sort()
                for name in sorted(filenames):
                    take(Path(dirpath) / name, given)
        else:
            take(given, given.parent)
    return found, skipped


def output_json_path(out_dir: Path, item: InputFile) -> Path:
    """OUT/<path relative to its input root>.json: two call.mp3 in different folders never collide.
    Undecodable name bytes become `\\xNN` so every output name is valid UTF-8."""
    relative = Path(safe_text(item.relative))
    return out_dir / relative.parent / (relative.name + ".json")


def check_output_dir(out_dir: Path) -> None:
    """Fail before any work when the output folder cannot be written."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
        with tempfile.NamedTemporaryFile(dir=out_dir, prefix=".write-test-"):
            pass
    except OSError as exc:
        raise OutputError(f"cannot write to output folder {out_dir} ({exc.strerror or exc})") from exc


def settings_fingerprint(options: AnalyzeOptions) -> str:
    """Hash of everything that changes a result: model (by SHA-256), lexicons (by SHA-256), tool
    version and every other analysis option (decoding, call time, speakers...), except thread
    counts. Equal fingerprint + equal audio hash = the same output, so the call can be skipped."""
    from .lexicon import lexicon_sha256
    from .models import resolve_model

    _, model = resolve_model(options.model)
    settings = asdict(options)
    settings["transcribe"] = options.transcribe.as_settings()
    settings["transcribe"].pop("cpu_threads", None)
    settings["model"] = [model.name, model.sha256]
    settings["lexicons_dir"] = lexicon_sha256(options.lexicons_dir)
    settings["tool"] = __version__
    text = json.dumps(settings, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8", "backslashreplace")).hexdigest()


@lru_cache(maxsize=2)
def _lexicons(lexicons_dir: Path | None):
    """Loaded once per process (parent and each worker)."""
    from .lexicon import default_lexicons, load_lexicons

    return load_lexicons(lexicons_dir) if lexicons_dir else default_lexicons()


def default_threads(jobs: int) -> int:
    """CPU threads per worker so that jobs x threads does not exceed the cores we may use."""
    try:
        cores = len(os.sched_getaffinity(0))
    except AttributeError:  # not on Linux
        cores = os.cpu_count() or 1
    return max(1, cores // max(1, jobs))


# --- one file, in whichever process runs it ------------------------------------------------

_WORKER_OPTIONS: AnalyzeOptions | None = None


def _init_worker(options: AnalyzeOptions) -> None:
    """Workers leave Ctrl-C to the parent, which stops them; the model loads on first use."""
    global _WORKER_OPTIONS
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    _WORKER_OPTIONS = options


def _analyse(item: InputFile, options: AnalyzeOptions | None = None) -> tuple[CallRecord | None, str | None]:
    """(record, None) or (None, one-line error). Unexpected exceptions are reported, not raised,
    so one strange file never stops the batch."""
    from . import pipeline

    options = options or _WORKER_OPTIONS
    try:
        return pipeline.analyze_file(item, options, lexicons=_lexicons(options.lexicons_dir)), None
    except AnalyzerError as exc:
        return None, exc.message
    except MemoryError:
        return None, "out of memory while analysing this file"
    except Exception as exc:  # noqa: BLE001  (a decoder or model failure on one file must not stop the others)
        return None, f"internal error while analysing: {type(exc).__name__}: {exc}"


def _preflight(item: InputFile) -> tuple[str | None, int | None, str | None]:
    """(sha256, size, error) without ever blocking: FIFOs, folders and devices are refused
    before anything opens them."""
    name = safe_text(item.relative)
    try:
        info = item.path.stat()
    except OSError as exc:
        reason = "symlink loop" if exc.errno == errno.ELOOP else exc.strerror or str(exc)
        return None, None, f"{name}: cannot read file ({reason})"
    if not stat.S_ISREG(info.st_mode):
        return (
            None,
            None,
            f"{name}: not a regular file (a folder, pipe or device with an audio name)",
        )
    if info.st_size == 0:
        return None, 0, f"{name}: empty file (0 bytes)"
    try:
        return sha256_file(item.path), info.st_size, None
    except OSError as exc:
        return None, info.st_size, f"{name}: cannot read file ({exc.strerror or exc})"


# --- the batch -----------------------------------------------------------------------------


def _report_writer(name: str) -> Callable | None:
    """analyzer.report.<name> when the report writers are installed, else None."""
    try:
        from . import report
    except ImportError:
        return None
    return getattr(report, name, None)


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


@dataclass
class _Run:
    """State the parent keeps while the batch runs."""

    out_dir: Path
    catalog: Catalog
    fingerprint: str
    reports: ReportOptions
    result: BatchResult
    progress: BatchProgress | None
    on_start: Callable | None
    on_done: Callable | None
    copies: dict[str, list[InputFile]]
    durations: dict[str, float] = field(default_factory=dict)

    def started(self, item: InputFile) -> None:
        if self.progress:
            self.progress.start(safe_text(item.relative))
        if self.on_start:
            self.on_start(item)

    def failed(self, item: InputFile, sha: str | None, size: int | None, error: str) -> None:
        for copy in self.copies.get(sha, [item]) if sha else [item]:
            self.catalog.record_failed(
                sha, path=safe_text(copy.path.absolute()), relative=safe_text(copy.relative), error=error,
                size=size, now=_now(),
            )  # fmt: skip
            self.result.errors.append({"path": safe_text(copy.relative), "error": error})
        self._finished(item, None, error, self.durations.get(sha or "", 0.0))

    def succeeded(self, item: InputFile, sha: str, record: CallRecord) -> None:
        """Outputs first (atomically), then the catalog row that marks the call done."""
        if record.source.sha256 != sha:
            return self.failed(
                item,
                sha,
                record.source.size,
                f"{safe_text(item.relative)}: file changed while it was analysed",
            )
        from .record import dumps

        record = replace(record, source=replace(record.source, path=safe_text(record.source.path)))
        target = output_json_path(self.out_dir, item)
        try:
            write_atomic(target, dumps(record))
        except OSError as exc:  # disk full, folder removed: nothing later would succeed either
            raise OutputError(f"cannot write {target} ({exc.strerror or exc}); the next run resumes from here") from exc
        if self.publish(item, sha, record, target):
            self.result.records.append(record)
        self._finished(item, record, None, record.source.duration_s)

    def publish(self, item: InputFile, sha: str, record: CallRecord, target: Path) -> bool:
        """Reports next to the JSON at `target`, then the catalog row; False (and a failure
        recorded) when a report cannot be written."""
        outputs = [target]
        writer = _report_writer("write_call_outputs")
        if writer:
            # a name that is not valid UTF-8 cannot be linked from HTML: its report has no player
            audio = item.path if safe_text(item.path) == str(item.path) else None
            try:
                extra = writer(
                    self.out_dir, target, record, audio_path=audio, lang=self.reports.lang,
                    embed_audio=self.reports.embed_audio, clips=self.reports.clips,
                )  # fmt: skip
            except Exception as exc:  # noqa: BLE001  (a report bug on one call must not stop the batch)
                detail = exc.message if isinstance(exc, AnalyzerError) else f"{type(exc).__name__}: {exc}"
                self.failed(
                    item,
                    sha,
                    record.source.size,
                    f"{safe_text(item.relative)}: report failed: {detail}",
                )
                return False
            outputs += [Path(p) for p in extra or () if Path(p) != target]
        self.catalog.record_done(
            record, fingerprint=self.fingerprint, paths=self._paths(sha), outputs=outputs, json_path=target,
            now=_now(), reports=self.report_key,
        )  # fmt: skip
        self.result.outputs.extend(outputs)
        return True

    def _paths(self, sha: str) -> list[tuple[str, str]]:
        return [(safe_text(c.path.absolute()), safe_text(c.relative)) for c in self.copies[sha]]

    @property
    def report_key(self) -> str | None:
        """The report settings the catalog keeps per call (None when no report writer is installed)."""
        return json.dumps(asdict(self.reports), sort_keys=True) if _report_writer("write_call_outputs") else None

    def _finished(self, item: InputFile, record, error: str | None, audio_s: float) -> None:
        if self.progress:
            self.progress.done(safe_text(item.relative), audio_s, error)
        if self.on_done:
            self.on_done(item, record, error)


def analyze_folder(
    paths: Iterable[Path],
    out_dir: Path,
    options: AnalyzeOptions | None = None,
    *,
    jobs: int = 1,
    force: bool = False,
    reports: ReportOptions = ReportOptions(),
    max_calls_per_day: int = 3,
    progress: bool = False,
    on_start: Callable[[InputFile], None] | None = None,
    on_done: Callable[[InputFile, CallRecord | None, str | None], None] | None = None,
    executor: Executor | None = None,
) -> BatchResult:
    """Analyse every recording under `paths` into `out_dir`, resuming from its catalog.
    One bad file never stops the batch; Ctrl-C stops it with `result.interrupted` set.
    An `executor` (e.g. analyzer.cluster's) analyses the files elsewhere instead of `jobs`
    local processes; planning, outputs and the catalog stay here."""
    from .pipeline import AnalyzeOptions

    options = options or AnalyzeOptions()
    out_dir = Path(out_dir)
    check_output_dir(out_dir)
    jobs = max(1, jobs)
    if options.transcribe.cpu_threads <= 0:
        options = replace(
            options,
            transcribe=replace(options.transcribe, cpu_threads=default_threads(jobs)),
        )
    items, skipped = discover(paths, exclude=out_dir)
    result = BatchResult(skipped_non_audio=skipped)
    fingerprint = settings_fingerprint(options)
    with Catalog(out_dir / CATALOG_NAME) as catalog:
        run = _Run(
            out_dir,
            catalog,
            fingerprint,
            reports,
            result,
            None,
            on_start,
            on_done,
            copies={},
        )
        todo = _plan(run, items, force)
        if todo:
            _lexicons(options.lexicons_dir)  # a malformed lexicon stops the run here, before any call
        if progress:
            from .audio import probe_duration
            from .progress import BatchProgress

            run.durations = {sha: probe_duration(item.path) for item, sha in todo}
            run.progress = BatchProgress(len(todo), sum(run.durations.values()))
        if executor is None:
            executor = in_process if jobs == 1 or len(todo) <= 1 else process_pool(jobs)
        outcomes = executor(todo, options, run.started)
        try:
            for item, sha, record, error in outcomes:
                run.succeeded(item, sha, record) if record else run.failed(item, sha, None, error)
        except KeyboardInterrupt:
            result.interrupted = True
        finally:
            if hasattr(outcomes, "close"):
                outcomes.close()  # stops the workers when we leave early (Ctrl-C, unwritable output)
            if run.progress:
                run.progress.close()
        if not result.interrupted:
            _write_batch_outputs(run, max_calls_per_day)
    return result


def _plan(run: _Run, items: list[InputFile], force: bool) -> list[tuple[InputFile, str]]:
    """Hash every file, fold copies of one recording together, record unreadable files, and
    return what still needs analysing (one InputFile per recording)."""
    for item in items:
        run.result.escaped_names += safe_text(item.relative) != str(item.relative)
        sha, size, error = _preflight(item)
        if error:
            run.failed(item, None, size, error)
            continue
        run.copies.setdefault(sha, []).append(item)
    todo = []
    for sha, copies in run.copies.items():
        run.result.duplicates += [(safe_text(c.relative), safe_text(copies[0].relative)) for c in copies[1:]]
        record = None if force else _finished_record(run, sha)
        if record is None:
            todo.append((copies[0], sha))
            continue
        if run.catalog.reports_current(sha, run.report_key):
            run.catalog.add_paths(sha, run._paths(sha), _now())
        elif run.publish(copies[0], sha, record, run.out_dir / run.catalog.call_by_sha(sha).json_path):
            run.result.reports_rewritten += 1  # new report settings, or a report deleted: no re-transcription
        else:
            continue
        run.result.skipped_done += 1
        run.result.records.append(record)
    return todo


def _finished_record(run: _Run, sha: str) -> CallRecord | None:
    """The record of a call already analysed with these settings whose JSON verifies, else None."""
    if not run.catalog.analysis_done(sha, run.fingerprint):
        return None
    from .record import load

    try:
        return load(run.out_dir / run.catalog.call_by_sha(sha).json_path)
    except (
        OSError,
        ValueError,
        KeyError,
        TypeError,
    ):  # verified a moment ago: edited since; redo it
        return None


def in_process(todo: list[tuple[InputFile, str]], options: AnalyzeOptions, started) -> Iterator:
    """The Executor for --jobs 1: analyse here, one file after the other."""
    for item, sha in todo:
        started(item)
        yield (item, sha, *_analyse(item, options))


def process_pool(jobs: int) -> Executor:
    """The Executor for --jobs N: N worker processes, at most N files in flight (so the live line
    shows exactly those). When a worker dies (out of memory, a decoder crash) nobody knows which
    of the files in flight killed it, so each is retried alone in a fresh pool, and fails only
    if it kills that one too."""

    def execute(todo: list[tuple[InputFile, str]], options: AnalyzeOptions, started) -> Iterator:
        methods = multiprocessing.get_all_start_methods()
        context = multiprocessing.get_context("forkserver" if "forkserver" in methods else "spawn")
        queue, pool, pending, suspects = list(reversed(todo)), None, {}, set()
        try:
            while queue or pending:
                if pool is None:
                    pool = ProcessPoolExecutor(
                        jobs,
                        mp_context=context,
                        initializer=_init_worker,
                        initargs=(options,),
                    )
                broken = False
                while (
                    queue
                    and len(pending) < jobs
                    and not (pending and (queue[-1][1] in suspects or _alone(pending, suspects)))
                ):
                    item, sha = queue[-1]
                    try:
                        future = pool.submit(_analyse, item)
                    except BrokenProcessPool:  # a worker died between two files
                        broken = True
                        break
                    queue.pop()
                    started(item)
                    pending[future] = (item, sha)
                done = wait(pending, return_when=FIRST_COMPLETED)[0] if pending and not broken else set()
                if broken or any(isinstance(f.exception(), BrokenProcessPool) for f in done):
                    _stop(pool)
                    pool = None
                    for item, sha in pending.values():
                        if sha in suspects and len(pending) == 1:  # it ran alone and killed its worker
                            yield (
                                item,
                                sha,
                                None,
                                f"{safe_text(item.relative)}: the worker process died while analysing this file (out of memory, or a decoder crash)",
                            )
                        else:
                            suspects.add(sha)
                            queue.append((item, sha))
                    pending.clear()
                    continue
                for future in done:
                    item, sha = pending.pop(future)
                    yield (item, sha, *future.result())
            if pool is not None:
                pool.shutdown(wait=True)
                pool = None
        finally:  # normal end: workers are idle; early end: discard what is in flight
            _stop(pool)

    return execute


def _alone(pending: dict, suspects: set[str]) -> bool:
    """A suspect (its worker died once) is in flight: it runs alone until it is cleared."""
    return any(sha in suspects for _, sha in pending.values())


def _stop(pool: ProcessPoolExecutor | None) -> None:
    """Discard the files in flight now (they are redone next run) rather than wait minutes."""
    if pool is None:
        return
    for process in list(getattr(pool, "_processes", {}).values()):
        process.terminate()
    pool.shutdown(wait=False, cancel_futures=True)


def _write_batch_outputs(run: _Run, max_calls_per_day: int) -> None:
    """errors.json (this run), timeline.csv (the whole catalog), then the batch reports."""
    from .timeline import build_timeline, timeline_csv

    write_atomic(
        run.out_dir / ERRORS_NAME,
        json.dumps(run.result.errors, ensure_ascii=False, indent=1) + "\n",
    )
    rows = build_timeline(run.catalog.path, max_calls_per_day=max_calls_per_day)
    write_atomic(run.out_dir / TIMELINE_NAME, timeline_csv(rows))
    writer = _report_writer("write_batch_outputs")
    if writer:
        # names that are not UTF-8 are passed escaped: manifest.json must stay valid UTF-8
        inputs = {r.source.path: safe_text(run.copies[r.source.sha256][0].path.absolute()) for r in run.result.records}
        try:
            run.result.outputs.extend(Path(p) for p in writer(run.out_dir, lang=run.reports.lang, inputs=inputs) or ())
        except Exception as exc:  # noqa: BLE001  (per-call results are safe; say what failed, no traceback)
            detail = exc.message if isinstance(exc, AnalyzerError) else f"{type(exc).__name__}: {exc}"
            run.result.errors.append(
                {
                    "path": "(folder reports)",
                    "error": f"index/manifest failed: {detail}",
                }
            )
