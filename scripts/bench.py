"""`make bench`: speed and memory figures for the whole tool, each printed next to its target.

(a) real-time factor of `call-analyzer analyze` on one fixed recording of at least 5 minutes, built by
    concatenating samples/ (or the shared spliced calls when samples/ is empty);
(b) analyze's wall time over bare `faster_whisper.WhisperModel.transcribe` on the same audio with the
    same model and decoding settings, both as fresh processes, run alternately;
(c) text-analysis throughput (scripts/bench_text.py);
(d) peak RSS of the analyze process (one worker);
(e) start-up time of `call-analyzer --help`, and the heaviest imports on that path;
(f) batch throughput with --jobs 1 and 2 (scripts/bench_batch.py) and a Dask LocalCluster
    (scripts/bench_cluster.py), when those scripts exist.
No pass/fail: the figures are for the closing note. Usage: python scripts/bench.py [--rounds N]
"""

from __future__ import annotations

import argparse
import os
import re
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analyzer.asr import TranscribeOptions  # noqa: E402
from analyzer.audio import decode, is_audio_name, mixdown  # noqa: E402
from analyzer.models import resolve_model  # noqa: E402

MIN_SECONDS = 300
GAP_S = 1.0
THREADS = 2
CLI = [str(Path(sys.executable).parent / "call-analyzer")]  # the console script users run
BARE = """
import sys, time
from faster_whisper import WhisperModel, decode_audio
path, model_path, threads, kwargs = sys.argv[1], sys.argv[2], int(sys.argv[3]), eval(sys.argv[4])
model = WhisperModel(model_path, device="cpu", compute_type="int8", cpu_threads=threads)
segments, _ = model.transcribe(decode_audio(path), **kwargs)
print(len(list(segments)))
"""


def build_recording(folder: Path) -> tuple[Path, str]:
    """Concatenate the project's samples (else the spliced calls), mono 16 kHz, until >= 5 minutes."""
    import soundfile

    samples = sorted(p for p in (REPO / "samples").iterdir() if is_audio_name(p))
    source = "samples/"
    if not samples:
        spliced = REPO.parent / "shared" / "corpus" / "spliced-calls"
        samples = sorted(spliced.glob("*.wav")) if spliced.is_dir() else []
        source = "../shared/corpus/spliced-calls (samples/ is empty)"
    if not samples:
        sys.exit("no recordings to benchmark: samples/ is empty and ../shared is absent")
    clips = [mixdown(decode(p).samples) for p in samples]
    gap = np.zeros(int(16000 * GAP_S), np.float32)
    parts, total = [], 0
    while total < MIN_SECONDS * 16000:
        for clip in clips:
            parts += [clip, gap]
            total += len(clip) + len(gap)
    path = folder / "bench_call.wav"
    soundfile.write(path, np.concatenate(parts), 16000, subtype="PCM_16")
    return path, f"{len(samples)} files from {source}, {total / 16000:.0f} s"


def timed(command: list[str], env: dict | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one child process; fails loudly if it fails."""
    with tempfile.TemporaryFile() as errors:
        started = time.monotonic()
        process = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=errors, env=env)
        _, status, usage = os.wait4(process.pid, 0)  # this child's own rusage, not all children's
        wall = time.monotonic() - started
        process.returncode = code = os.waitstatus_to_exitcode(status)
        if code != 0:
            errors.seek(0)
            sys.exit(f"failed ({code}): {' '.join(command)}\n{errors.read().decode(errors='replace')[-2000:]}")
    return wall, usage.ru_maxrss / 1024


def startup(rounds: int = 5) -> tuple[float, list[str]]:
    """Best-of wall time of `--help`, and the heaviest cumulative imports on that path."""
    best = min(timed([*CLI, "--help"])[0] for _ in range(rounds))
    entry = "from analyzer.cli import main; main()"
    trace = subprocess.run([sys.executable, "-X", "importtime", "-c", entry, "--help"], capture_output=True, text=True)
    rows = []
    for line in trace.stderr.splitlines():
        if match := re.match(r"import time:\s+\d+ \|\s+(\d+) \|( *)(\S+)", line):
            if len(match.group(2)) <= 3 and match.group(3) != "site":  # top two levels, not the interpreter's own
                rows.append((int(match.group(1)), match.group(3)))
    heavy = [f"{name} {us / 1000:.0f} ms" for us, name in sorted(rows, reverse=True)[:6]]
    return best, heavy


def run_script(name: str, *args: str) -> str | None:
    script = REPO / "scripts" / name
    if not script.exists():
        return None
    done = subprocess.run([sys.executable, str(script), *args], capture_output=True, text=True)
    return (done.stdout + (f"\n(exit {done.returncode}) {done.stderr[-500:]}" if done.returncode else "")).strip()


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rounds", type=int, default=2, help="alternating analyze / bare rounds (default 2)")
    parser.add_argument("--skip-batch", action="store_true", help="skip (f): the batch and cluster scripts")
    args = parser.parse_args()
    env = {**os.environ, "HF_HUB_OFFLINE": "1"}
    options = TranscribeOptions(cpu_threads=THREADS)
    model_path, model_info = resolve_model(None)
    rows: list[tuple[str, str, str]] = []
    with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
        recording, described = build_recording(Path(tmp))
        duration = len(decode(recording).samples[0]) / 16000
        print(f"recording: {described}; model {model_info.name}, {THREADS} threads, settings {options.as_settings()}")
        analyze_cmd = [*CLI, "analyze", str(recording), "--threads", str(THREADS), "--force"]
        bare_cmd = [sys.executable, "-c", BARE, str(recording), model_path, str(THREADS), repr(options.decode_kwargs())]
        analyzed, bare, rss = [], [], []
        for round_ in range(args.rounds):
            wall, peak = timed([*analyze_cmd, "--out", str(Path(tmp) / f"out{round_}")], env)
            analyzed.append(wall)
            rss.append(peak)
            bare.append(timed(bare_cmd, env)[0])
            print(f"  round {round_ + 1}: analyze {wall:.1f} s, bare faster-whisper {bare[-1]:.1f} s", flush=True)
    analyze_s, bare_s = statistics.median(analyzed), statistics.median(bare)
    rows.append(("(a) analyze real-time factor", f"{analyze_s / duration:.3f} ({analyze_s:.1f} s / {duration:.0f} s)", "<= 0.08"))
    rows.append(("(b) analyze / bare faster-whisper", f"{analyze_s / bare_s:.2f} (bare RTF {bare_s / duration:.3f})", "<= 1.10"))
    text = run_script("bench_text.py")
    speed = re.search(r"([\d.]+) MB/s", text or "")
    rows.append(("(c) text analysis", f"{speed.group(1)} MB/s" if speed else (text or "scripts/bench_text.py missing"), ">= 1 MB/s"))
    rows.append(("(d) peak RSS, one worker", f"{max(rss):.0f} MB", "<= 1024 MB"))
    help_s, heavy = startup()
    rows.append(("(e) call-analyzer --help", f"{help_s:.2f} s", "<= 0.5 s"))
    width = max(len(r[1]) for r in rows)
    print(f"\n{'figure':<36} {'measured':<{width}}  target")
    for name, value, target in rows:
        print(f"{name:<36} {value:<{width}}  {target}")
    print(f"\nheaviest imports on the --help path: {', '.join(heavy)}")
    if args.skip_batch:
        return 0
    cluster_runs = ["--limit", "4", "--runs", "local --jobs 1,--cluster local:2"]  # --jobs 2 is in the batch line
    for name, extra in (("bench_batch.py", ["--limit", "3"]), ("bench_cluster.py", cluster_runs)):
        print(f"\n(f) {name} {' '.join(extra)}:")
        print(run_script(name, *extra) or f"  scripts/{name} not found: skipped")
    return 0


if __name__ == "__main__":
    sys.exit(main())
