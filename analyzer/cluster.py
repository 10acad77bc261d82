"""The batch on a Dask cluster: one task per recording, results streamed back to this process.

Only the "run analyze_file somewhere" step moves: analyzer.batch still plans (hash, skip calls
already done, fold copies), and this process alone writes every output and catalog row, as each
result arrives. Workers must see the inputs at the same absolute paths (a shared filesystem).
A worker that dies mid-task has the task re-run elsewhere by the scheduler, up to its
`distributed.scheduler.allowed-failures` setting; after that the file is recorded as failed.
"""

from __future__ import annotations

import logging
import os
import re
from collections import deque
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from .batch import BatchResult, InputFile, _analyse, analyze_folder, default_threads
from .errors import AnalyzerError, InputError, MissingExtraError
from .store import safe_text

if TYPE_CHECKING:
    from distributed import Client

    from .pipeline import AnalyzeOptions
    from .types import CallRecord

LOCAL = re.compile(r"local(?::(\d+))?")
# Numeric libraries' thread counts: transcripts and diarization depend slightly on them.
THREAD_VARIABLES = ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")


def parse_local(spec: str) -> int:
    """`local` (one worker per core) or `local:N` -> the number of worker processes."""
    match = LOCAL.fullmatch(spec.strip())
    if not match or match.group(1) == "0":
        raise InputError(f"'{spec}' is not a local cluster spec: use local or local:N (N worker processes)")
    return int(match.group(1)) if match.group(1) else default_threads(1)


def _require_distributed():
    try:
        import distributed
    except ImportError:
        raise MissingExtraError("Running on a Dask cluster", "cluster", "dask[distributed]") from None
    return distributed


@contextmanager
def connect(scheduler: str | None = None, local_workers: int | None = None) -> Iterator[Client]:
    """A client of the scheduler at `scheduler` (tcp://HOST:8786), or of a new LocalCluster with
    `local_workers` single-threaded worker processes on loopback; closed (and stopped) on exit."""
    distributed = _require_distributed()
    if local_workers:
        import dask

        # Dask's nanny would start workers with these at 1, which changes transcripts slightly;
        # unset, the workers inherit this process's values, as the local runner's workers do.
        settings = {f"distributed.nanny.pre-spawn-environ.{name}": None for name in THREAD_VARIABLES}
        # Without a dashboard nobody sees the workers' profiles; sampling every 10 ms costs CPU.
        settings["distributed.worker.profile.enabled"] = False
        try:
            with dask.config.set(settings):
                cluster = distributed.LocalCluster(
                    n_workers=local_workers, threads_per_worker=1, processes=True, host="127.0.0.1",
                    dashboard_address=None, silence_logs=logging.CRITICAL,
                )  # fmt: skip
        except (RuntimeError, OSError) as exc:  # e.g. a worker process that cannot start
            raise AnalyzerError(f"cannot start a local Dask cluster ({exc})") from None
        with cluster, distributed.Client(cluster) as client:
            yield client
        return
    try:
        client = distributed.Client(scheduler, timeout="20s")
    except (OSError, ValueError, TypeError) as exc:
        raise InputError(f"cannot reach the Dask scheduler at {scheduler} ({exc})") from None
    with client:
        yield client


def _worker_cores(dask_worker) -> tuple[str, int, int]:
    """(host, usable cores, task threads) of one worker; runs on the worker."""
    from distributed.comm import get_address_host

    return get_address_host(dask_worker.address), default_threads(1), dask_worker.state.nthreads


def threads_by_host(client: Client) -> dict[str, int]:
    """CPU threads per task on each host, so that all the tasks a host runs at once share its
    cores instead of each taking them all (several `dask worker` processes may share a host)."""
    cores: dict[str, int] = {}
    tasks: dict[str, int] = {}
    for host, host_cores, nthreads in client.run(_worker_cores, on_error="ignore").values():
        cores[host] = host_cores
        tasks[host] = tasks.get(host, 0) + nthreads
    return {host: max(1, cores[host] // tasks[host]) for host in cores}


def analyse_on_worker(item: InputFile, options: AnalyzeOptions, threads: dict[str, int] | None):
    """The task: (record, None) or (None, error), as analyzer.batch's own workers return."""
    from distributed import get_worker
    from distributed.comm import get_address_host

    worker = get_worker()
    if not item.path.exists():
        host = get_address_host(worker.address)
        return None, f"{safe_text(item.relative)}: not found on worker {host}: inputs must be on a filesystem all workers share"
    if threads is not None:  # the user left --threads to us
        count = threads.get(get_address_host(worker.address)) or default_threads(worker.state.nthreads)
        options = replace(options, transcribe=replace(options.transcribe, cpu_threads=count))
    return _analyse(item, options)


def _for_workers(item: InputFile) -> InputFile:
    """Absolute paths: a worker's working folder is not ours."""
    return InputFile(item.path.absolute(), item.root.absolute())


def _outcome(future, item: InputFile) -> tuple[CallRecord | None, str | None]:
    from distributed import KilledWorker
    from distributed.client import FutureCancelledError

    name = safe_text(item.relative)
    try:
        return future.result()
    except KilledWorker:
        return None, f"{name}: worker processes died while analysing this file, on every try"
    except FutureCancelledError:
        raise AnalyzerError("lost the Dask scheduler; finished recordings are kept, run the same command again to resume") from None
    except Exception as exc:  # noqa: BLE001 (e.g. a worker without call-analyzer installed)
        return None, f"{name}: the cluster could not analyse this file: {type(exc).__name__}: {exc}"


def executor(scheduler: str | None, local_workers: int | None, auto_threads: bool):
    """An analyzer.batch Executor: connects only when there is work, keeps as many files in
    flight as the cluster has worker threads (so the progress line shows what runs), and
    yields each result as it arrives."""
    from distributed import as_completed

    def execute(todo: list[tuple[InputFile, str]], options: AnalyzeOptions, started) -> Iterator:
        if not todo:
            return
        with connect(scheduler, local_workers) as client:
            threads = threads_by_host(client) if auto_threads else None
            queue = deque(todo)
            pending: dict = {}
            finished = as_completed()

            def fill() -> None:
                room = max(1, sum(client.nthreads().values())) - len(pending)
                for _ in range(min(room, len(queue))):
                    item, sha = queue.popleft()
                    started(item)
                    future = client.submit(analyse_on_worker, _for_workers(item), options, threads, pure=False)
                    pending[future] = (item, sha)
                    finished.add(future)

            try:
                fill()
                for future in finished:
                    item, sha = pending.pop(future)
                    record, error = _outcome(future, item)
                    future.release()
                    yield item, sha, record, error
                    fill()
            finally:  # Ctrl-C or a lost scheduler: nothing more runs for this batch
                client.cancel(list(pending))

    return execute


def analyze_on_cluster(
    paths: Iterable[Path],
    out_dir: Path,
    options: AnalyzeOptions | None = None,
    *,
    scheduler: str | None = None,
    local_workers: int | None = None,
    **batch,
) -> BatchResult:
    """analyzer.batch.analyze_folder with the analyses run on a Dask cluster: the scheduler at
    `scheduler`, or a LocalCluster of `local_workers` processes (spawned: a calling script needs
    the `if __name__ == "__main__":` guard). `batch` takes analyze_folder's other keywords
    (force, reports, progress, on_start, on_done...)."""
    from .pipeline import AnalyzeOptions

    if bool(scheduler) == bool(local_workers):
        raise InputError("give either a scheduler address or a number of local workers")
    options = options or AnalyzeOptions()
    auto_threads = options.transcribe.cpu_threads <= 0
    if options.lexicons_dir is not None:
        options = replace(options, lexicons_dir=Path(options.lexicons_dir).absolute())
    if options.model and os.path.isdir(options.model):
        options = replace(options, model=os.path.abspath(options.model))
    _require_distributed()
    return analyze_folder(paths, out_dir, options, executor=executor(scheduler, local_workers, auto_threads), **batch)
