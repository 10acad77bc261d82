"""`make eval-asr`: character error rate of our transcription against stock faster-whisper.

Corpora: the core tier of ../shared/corpus/zh-speech and the spliced calls, each as it is and
through a simulated telephone channel (300-3400 Hz, 8 kHz, G.711 mu-law). Prints one table.
Usage: python scripts/eval_asr.py [--quick] [--configs ours,stock,...]
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
from analyzer.cer import pooled_cer  # noqa: E402
from analyzer.models import resolve_model  # noqa: E402
from analyzer.telephone import telephone_channel  # noqa: E402

SHARED = REPO.parent / "shared" / "corpus"

# Stock faster-whisper as a user would call it: beam 5, default VAD, no word timestamps needed.
STOCK = TranscribeOptions(
    beam_size=5, vad_filter=True, word_timestamps=False, condition_on_previous_text=True, cpu_threads=2
)
OURS = TranscribeOptions(cpu_threads=2)


def load_sets(quick: bool) -> dict[str, list[tuple[Path, str]]]:
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
        sets = {k: v[:6] for k, v in sets.items()}
    return sets


def run(options: TranscribeOptions, items, phone: bool) -> tuple[float, float, list[str]]:
    model_path, model_info = resolve_model(None)
    pairs, hyps, seconds, audio_s = [], [], 0.0, 0.0
    for path, reference in items:
        samples = mixdown(decode(path).samples)
        if phone:
            samples = telephone_channel(samples)
        started = time.monotonic()
        transcript = transcribe(samples, model_path, model_info, options)
        seconds += time.monotonic() - started
        audio_s += len(samples) / 16000
        hypothesis = "".join(s.text for s in transcript.segments)
        pairs.append((reference, hypothesis))
        hyps.append(hypothesis)
    return pooled_cer(pairs), seconds / max(audio_s, 1e-9), hyps


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="first 6 clips of each set")
    args = parser.parse_args()
    sets = load_sets(args.quick)
    if not sets:
        print("../shared/corpus not found: nothing to evaluate")
        return 0
    configs = {"stock faster-whisper": STOCK, "call-analyzer": OURS}
    print(f"{'set':<10} {'channel':<10} {'config':<22} {'CER':>7} {'RTF':>6}")
    results = {}
    for set_name, items in sets.items():
        for phone in (False, True):
            for name, options in configs.items():
                score, rtf, _ = run(options, items, phone)
                channel = "telephone" if phone else "clean"
                results[(set_name, channel, name)] = score
                print(f"{set_name:<10} {channel:<10} {name:<22} {score:7.4f} {rtf:6.3f}", flush=True)
    for set_name in sets:
        for channel in ("clean", "telephone"):
            stock, ours = results[(set_name, channel, "stock faster-whisper")], results[(set_name, channel, "call-analyzer")]
            change = (stock - ours) / stock * 100 if stock else 0.0
            print(f"{set_name} {channel}: ours {ours:.4f} vs stock {stock:.4f} ({change:+.1f} % relative reduction)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
