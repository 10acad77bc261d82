"""Measure mono diarization and role assignment on real two-voice recordings in ../shared.

(a) call5_dialogue_stereo.wav mixed down to mono; truth per sentence from its manifest
    (channel 0 = collector, 1 = borrower).
(b) the two sides of a MagicData-RAMC conversation, cut at their pauses and interleaved as
    turns; truth per word = the side with more energy over the word's span.
Prints the share of words given the right speaker (best label permutation) and the roles found
on call5's channels. Usage: python scripts/eval_diarization.py [--shared PATH]
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import replace
from itertools import pairwise, permutations
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from analyzer.asr import TranscribeOptions, transcribe  # noqa: E402
from analyzer.audio import TARGET_RATE, decode, mixdown  # noqa: E402
from analyzer.diarize import diarization_available, diarize  # noqa: E402
from analyzer.models import resolve_model  # noqa: E402
from analyzer.roles import assign_roles  # noqa: E402
from analyzer.types import Transcript  # noqa: E402

CALL5 = "corpus/spliced-calls/call5_dialogue_stereo.wav"
RAMC = ("corpus/zh-speech/magicdata-ramc_CTS-CN-F2F-2019-11-11-423-012-A.wav",
        "corpus/zh-speech/magicdata-ramc_CTS-CN-F2F-2019-11-11-423-012-B.wav")  # fmt: skip
TURN_GAP_S = 0.3


def word_accuracy(transcript: Transcript, truth_of) -> tuple[float, int]:
    """Share of words whose speaker matches `truth_of(word)` under the best label permutation."""
    pairs = [(s.speaker, truth_of(w)) for s in transcript.segments for w in s.words]
    pairs = [(guess, truth) for guess, truth in pairs if truth is not None]
    truths = sorted({t for _, t in pairs})
    guesses = sorted({g for g, _ in pairs})
    best = 0
    for order in permutations(truths, len(truths)):
        mapping = dict(zip(guesses, order))
        best = max(best, sum(mapping.get(g) == t for g, t in pairs))
    return (best / len(pairs) if pairs else 0.0), len(pairs)


def _transcribe(samples: np.ndarray) -> Transcript:
    path, info = resolve_model(None)
    return transcribe(samples, path, info, TranscribeOptions(cpu_threads=2))


def call5_truth(shared: Path):
    """Word -> channel of the manifest sentence nearest to the word's midpoint."""
    manifest = shared / "corpus/spliced-calls/manifest.jsonl"
    entry = next(json.loads(line) for line in manifest.open(encoding="utf-8") if Path(CALL5).name in line)
    sentences = [(s["start"], s["end"], s["channel"]) for s in entry["segments"]]

    def truth_of(word) -> int:
        mid = (word.start + word.end) / 2
        return min(sentences, key=lambda s: max(s[0] - mid, mid - s[1], 0.0))[2]

    return truth_of


def phrases(samples: np.ndarray, min_pause_s: float = 0.2, floor_db: float = -45.0) -> list[np.ndarray]:
    """Cut a recording in the middle of its pauses (100 ms frames below `floor_db`)."""
    frame = TARGET_RATE // 10
    n = len(samples) // frame
    level = 20 * np.log10(np.sqrt((samples[: n * frame].reshape(n, frame) ** 2).mean(axis=1)) + 1e-9)
    quiet = np.concatenate([[False], level < floor_db, [False]]).astype(int)
    edges = np.flatnonzero(np.diff(quiet))  # starts and ends of quiet runs, in frames
    cuts = [
        (a + b) // 2 * frame
        for a, b in zip(edges[::2], edges[1::2])
        if (b - a) * 0.1 >= min_pause_s and 0 < a and b < n
    ]
    bounds = [0, *cuts, len(samples)]
    return [samples[a:b] for a, b in pairwise(bounds)]


def interleave(sides: list[np.ndarray]) -> np.ndarray:
    """Two tracks (2, n) on one timeline: the sides' phrases as alternating turns."""
    phrases_of = [phrases(s) for s in sides]
    gap = np.zeros(int(TURN_GAP_S * TARGET_RATE), dtype=np.float32)
    tracks: list[list[np.ndarray]] = [[], []]
    for i in range(max(len(p) for p in phrases_of)):
        for side, own in enumerate(phrases_of):
            if i < len(own):
                for t in range(2):
                    tracks[t] += [own[i] if t == side else np.zeros_like(own[i]), gap]
    return np.stack([np.concatenate(t) for t in tracks])


def energy_truth(tracks: np.ndarray):
    """Word -> the track with more energy over the word's span."""

    def truth_of(word):
        a, b = int(word.start * TARGET_RATE), max(int(word.end * TARGET_RATE), int(word.start * TARGET_RATE) + 1)
        energy = (tracks[:, a:b] ** 2).sum(axis=1)
        return int(np.argmax(energy)) if energy.max() > 0 else None

    return truth_of


def eval_call5(shared: Path) -> None:
    stereo = decode(shared / CALL5).samples
    truth_of = call5_truth(shared)
    truth_role = ("collector", "borrower")  # channel 0, channel 1
    if diarization_available():
        mono = mixdown(stereo)
        diarized = diarize(mono, _transcribe(mono))
        accuracy, n = word_accuracy(diarized, truth_of)
        print(f"diarization call5 (mono mix): {accuracy:.1%} of {n} words to the right speaker")
        with_roles, roles = assign_roles(diarized)
        pairs = [(s.role, truth_role[truth_of(w)]) for s in with_roles.segments for w in s.words]
        print(f"roles call5 (mono, diarized): {sum(a == b for a, b in pairs) / len(pairs):.1%} of words "
              f"with the right role; {_shown(roles)}")  # fmt: skip
    # Each channel transcribed on its own, as the stereo path does; roles from the text alone.
    sides = [_transcribe(stereo[c]) for c in (0, 1)]
    segments = [replace(s, channel=c, speaker=("left", "right")[c]) for c in (0, 1) for s in sides[c].segments]
    _, roles = assign_roles(replace(sides[0], segments=tuple(sorted(segments, key=lambda s: s.start))))
    right = sum(roles.get(name, ("unknown",))[0] == role for name, role in zip(("left", "right"), truth_role))
    print(f"roles call5 (stereo channels): {right}/2 right; {_shown(roles)}")


def _shown(roles: dict) -> str:
    return ", ".join(f"{speaker}={role} ({confidence:.2f})" for speaker, (role, confidence) in sorted(roles.items()))


def eval_ramc(shared: Path) -> None:
    sides = [decode(shared / p).samples[0] for p in RAMC]
    tracks = interleave(sides)
    mono = tracks.sum(axis=0).astype(np.float32)
    transcript = _transcribe(mono)
    accuracy, n = word_accuracy(diarize(mono, transcript), energy_truth(tracks))
    print(
        f"diarization RAMC (A/B turns, {len(mono) / TARGET_RATE:.1f} s): {accuracy:.1%} of {n} words to the right speaker"
    )


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--shared", type=Path, default=ROOT.parent / "shared")
    args = parser.parse_args()
    if not (args.shared / CALL5).exists():
        print(f"skipped: {args.shared} has no test recordings")
        return 0
    if not diarization_available():
        print("diarization: skipped (install the extra: pip install '.[diarize]')")
    eval_call5(args.shared)
    if diarization_available():
        eval_ramc(args.shared)
    return 0


if __name__ == "__main__":
    sys.exit(main())
