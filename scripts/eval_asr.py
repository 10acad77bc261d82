"""`make eval-asr`: character error rate of our transcription against stock faster-whisper.

Corpora: the core tier of ../shared/corpus/zh-speech and the spliced calls, each as it is and
through a simulated telephone channel (300-3400 Hz, 8 kHz, G.711 mu-law). Prints one table with
stock and ours side by side (CER: Simplified, punctuation removed, numbers normalised; RTF: seconds
of transcription per second of audio).
Usage: python scripts/eval_asr.py [--quick] [--sets core,spliced] [--channels clean,telephone]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analyzer.asr import TranscribeOptions, transcribe  # noqa: E402
from analyzer.audio import decode, mixdown  # noqa: E402
from analyzer.cer import cer, pooled_cer  # noqa: E402
from analyzer.models import resolve_model  # noqa: E402
from analyzer.telephone import telephone_channel  # noqa: E402

SHARED = REPO.parent / "shared" / "corpus"
THREADS = 2
# Stock faster-whisper as a user would call it: beam 5, Silero VAD with its defaults, the level as
# recorded, no word timestamps.
STOCK = TranscribeOptions(
    vad_parameters={}, loudness_dbfs=None, recover_skipped=False, word_timestamps=False, cpu_threads=THREADS
)
OURS = TranscribeOptions(cpu_threads=THREADS)
CHANNELS = {"clean": lambda samples: samples, "telephone": telephone_channel}


def load_sets(quick: bool) -> dict[str, list[tuple[Path, str]]]:
    """Name -> [(audio file, reference text)]; quick = every third core clip and three calls."""
    sets: dict[str, list[tuple[Path, str]]] = {}
    zh = SHARED / "zh-speech" / "manifest.jsonl"
    if zh.exists():
        rows = [json.loads(x) for x in zh.read_text("utf-8").splitlines() if x.strip()]
        sets["core"] = [(zh.parent / r["file"], r["reference"]) for r in rows if r.get("tier") == "core"]
    spliced = SHARED / "spliced-calls" / "manifest.jsonl"
    if spliced.exists():
        rows = [json.loads(x) for x in spliced.read_text("utf-8").splitlines() if x.strip()]
        sets["spliced"] = [(spliced.parent / r["file"], r["text"]) for r in rows]
    if quick:
        sets = {name: items[::3] if name == "core" else items[::2] for name, items in sets.items()}
    return sets


def run(options: TranscribeOptions, items, channel: str) -> tuple[float, float, list[float]]:
    """Pooled CER, real-time factor and per-file CER of one configuration on one set."""
    model_path, model_info = resolve_model(None)
    pairs, seconds, audio_s = [], 0.0, 0.0
    for path, reference in items:
        samples = CHANNELS[channel](mixdown(decode(path).samples))
        started = time.monotonic()
        transcript = transcribe(samples, model_path, model_info, options)
        seconds += time.monotonic() - started
        audio_s += len(samples) / 16000
        pairs.append((reference, "".join(s.text for s in transcript.segments)))
    return pooled_cer(pairs), seconds / max(audio_s, 1e-9), [cer(r, h) for r, h in pairs]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="a third of the core clips and half the calls")
    parser.add_argument("--sets", default="core,spliced", help="comma-separated: core, spliced")
    parser.add_argument("--channels", default="clean,telephone", help="comma-separated: clean, telephone")
    args = parser.parse_args()
    sets = {k: v for k, v in load_sets(args.quick).items() if k in args.sets.split(",")}
    if not sets:
        print("../shared/corpus not found: nothing to evaluate")
        return 0
    print(f"ours: {OURS.as_settings()}")
    print(f"{'set':<8} {'channel':<10} {'files':>5} {'stock CER':>9} {'ours CER':>8} {'change':>8} "
          f"{'stock RTF':>9} {'ours RTF':>8}  worst file (ours)")  # fmt: skip
    for set_name, items in sets.items():
        for channel in args.channels.split(","):
            stock, stock_rtf, _ = run(STOCK, items, channel)
            ours, ours_rtf, per_file = run(OURS, items, channel)
            change = (ours - stock) / stock * 100 if stock else 0.0
            worst = max(range(len(items)), key=per_file.__getitem__)
            print(f"{set_name:<8} {channel:<10} {len(items):>5} {stock:9.4f} {ours:8.4f} {change:+7.1f}% "
                  f"{stock_rtf:9.3f} {ours_rtf:8.3f}  {items[worst][0].name} {per_file[worst]:.3f}", flush=True)  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
