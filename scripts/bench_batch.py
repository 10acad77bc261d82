"""Batch throughput of `call-analyzer analyze` with --jobs 1 and --jobs 2 (and a resumed re-run).

Each run is a real process into a fresh output folder, so the figures include start-up, model
loading in every worker, and writing reports. Usage:
    python scripts/bench_batch.py [FOLDER] [--jobs 1 2] [--limit N]
FOLDER defaults to the shared spliced calls (../shared/corpus/spliced-calls), else samples/.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analyzer.audio import probe_duration
from analyzer.batch import discover


def linked_inputs(source: Path, limit: int | None, tmp: Path) -> tuple[Path, float, int]:
    """The first `limit` recordings under `source`, symlinked (never copied: the inputs stay where
    they are) into a fresh folder under `tmp`; returns it, the audio's length in seconds and the count."""
    items = discover([source])[0]
    items = items[:limit] if limit else items
    folder = tmp / "in"
    folder.mkdir()
    for item in items:
        (folder / item.path.name).symlink_to(item.path.resolve())
    audio_s = sum(probe_duration(item.path) for item in items)
    print(f"{len(items)} recordings, {audio_s / 60:.1f} min of audio, from {source}")
    return folder, audio_s, len(items)


def run(folder: Path, out: Path, jobs: int) -> tuple[float, int]:
    """Wall seconds of one `analyze` process, and how many recordings it skipped as already done."""
    command = [
        sys.executable,
        "-m",
        "analyzer",
        "analyze",
        str(folder),
        "--out",
        str(out),
        "--jobs",
        str(jobs),
    ]
    started = time.monotonic()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.monotonic() - started
    if done.returncode not in (0, 1):
        sys.exit(f"analyze failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    skipped = re.search(r"skipped (\d+) already analysed", done.stdout)
    return elapsed, int(skipped.group(1)) if skipped else 0


def main() -> None:
    default = REPO.parent / "shared" / "corpus" / "spliced-calls"
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "folder",
        nargs="?",
        type=Path,
        default=default if default.is_dir() else REPO / "samples",
    )
    parser.add_argument("--jobs", type=int, nargs="+", default=[1, 2])
    parser.add_argument("--limit", type=int, default=0, help="use only the first N recordings")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="bench-batch-") as tmp:
        folder, audio_s, count = linked_inputs(args.folder, args.limit, Path(tmp))
        print(f"{'jobs':>4}  {'wall s':>7}  {'files/min':>9}  {'audio min/min':>13}  {'re-run s':>8}  skipped")
        for jobs in args.jobs:
            out = Path(tmp) / f"out-{jobs}"
            wall, _ = run(folder, out, jobs)
            rerun, skipped = run(folder, out, jobs)  # skips all unless lexicons/settings changed meanwhile
            print(
                f"{jobs:>4}  {wall:>7.1f}  {count / wall * 60:>9.2f}  {audio_s / wall:>13.2f}  "
                f"{rerun:>8.2f}  {skipped}/{count}"
            )


if __name__ == "__main__":
    main()
