"""Wall time of `call-analyzer analyze` on four recordings: the local runner (--jobs 1, --jobs 2)
against a two-worker Dask LocalCluster (--cluster local:2).

Each run is a real process into a fresh output folder, so the figures include start-up, model
loading in every worker (and, for the cluster, starting the scheduler and workers). Usage:
    python scripts/bench_cluster.py [FOLDER] [--limit N]
FOLDER defaults to the shared spliced calls (../shared/corpus/spliced-calls), else samples/.
Needs the [cluster] extra.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from bench_batch import linked_inputs  # noqa: E402  (scripts/ is on the path when run as a script)

RUNS = {"local --jobs 1": ["--jobs", "1"], "local --jobs 2": ["--jobs", "2"], "--cluster local:2": ["--cluster", "local:2"]}


def timed_run(folder: Path, out: Path, options: list[str]) -> float:
    command = [sys.executable, "-m", "analyzer", "analyze", str(folder), "--out", str(out), *options]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    if done.returncode != 0:
        sys.exit(f"{' '.join(options)} failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return elapsed


def main() -> None:
    default = REPO.parent / "shared" / "corpus" / "spliced-calls"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", nargs="?", type=Path, default=default if default.is_dir() else REPO / "samples")
    parser.add_argument("--limit", type=int, default=4, help="number of recordings (default 4)")
    parser.add_argument("--runs", default=",".join(RUNS), help=f"comma-separated subset of: {', '.join(RUNS)}")
    args = parser.parse_args()
    try:
        import distributed  # noqa: F401
    except ImportError:
        sys.exit("needs the cluster extra: pip install 'call-analyzer[cluster]'")

    with tempfile.TemporaryDirectory(prefix="bench-cluster-") as tmp:
        folder, audio_s, _ = linked_inputs(args.folder, args.limit, Path(tmp))
        print(f"{'runner':<18}  {'wall s':>7}  {'audio min/min':>13}")
        chosen = [name.strip() for name in args.runs.split(",")]
        if unknown := set(chosen) - set(RUNS):
            sys.exit(f"unknown run(s): {', '.join(sorted(unknown))}")
        for index, name in enumerate(chosen):
            wall = timed_run(folder, Path(tmp) / f"out-{index}", RUNS[name])
            print(f"{name:<18}  {wall:>7.1f}  {audio_s / wall:>13.2f}")


if __name__ == "__main__":
    main()
