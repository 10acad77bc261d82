"""Precision of each lexicon entry on the development sets, and which entries must be weak.

An entry's precision is the share of the utterances it flagged (lexicons alone, no model) whose
labels hold its category. An entry below WEAK_BELOW that made at least MIN_WRONG wrong flags is
weak: its words are too often another category or none, so its flags need the conduct model's
support (`weak = true` in its lexicon file; see lexicons/README.md). Only the dev sets are read.

Usage: python scripts/entry_precision.py [--check]
  --check: exit 1 where the `weak` marks in lexicons/ disagree with the measured precision.
"""

from __future__ import annotations

import argparse
import dataclasses
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import eval_conduct  # noqa: E402  (puts the repository on sys.path too)

from analyzer.detect.conduct import detect_conduct  # noqa: E402
from analyzer.lexicon import default_lexicons  # noqa: E402
from analyzer.normalize import normalize  # noqa: E402

WEAK_BELOW = 0.8
MIN_WRONG = 5


def measure() -> dict[str, tuple[int, int]]:
    """rule_id -> (right, wrong) flagged utterances, lexicons alone."""
    lexicons = dataclasses.replace(default_lexicons(), model=None)
    right, wrong = Counter(), Counter()
    for item in eval_conduct.load(eval_conduct.SETS["dev"]):
        findings, _ = detect_conduct(normalize(item["text"]), lexicons)
        for rule_id, category in {(f.rule_id, f.category) for f in findings}:
            (right if category in item["labels"] else wrong)[rule_id] += 1
    return {r: (right[r], wrong[r]) for r in sorted(set(right) | set(wrong))}


def should_be_weak(right: int, wrong: int) -> bool:
    return wrong >= MIN_WRONG and right < WEAK_BELOW * (right + wrong)


def disagreements(counts: dict[str, tuple[int, int]]) -> list[str]:
    marked = {f"{c.id}/{e.id}" for c in default_lexicons().categories.values() for e in c.entries if e.weak}
    out = []
    for rule_id in sorted(marked | set(counts)):
        right, wrong = counts.get(rule_id, (0, 0))
        if should_be_weak(right, wrong) and rule_id not in marked:
            out.append(f"{rule_id}: precision {right / (right + wrong):.2f} on dev, mark it weak = true")
        elif rule_id in marked and not should_be_weak(right, wrong):
            out.append(f"{rule_id}: marked weak but precise enough now ({right} right, {wrong} wrong); drop the mark")
    return out


def main(argv: list[str]) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    counts = measure()
    if not args.check:
        print(f"{'entry':48} {'right':>6} {'wrong':>6} {'prec':>5}")
        for rule_id, (right, wrong) in sorted(counts.items(), key=lambda kv: kv[1][0] / sum(kv[1])):
            mark = "  weak" if should_be_weak(right, wrong) else ""
            print(f"{rule_id:48} {right:6} {wrong:6} {right / (right + wrong):5.2f}{mark}")
    problems = disagreements(counts)
    print("\n".join(problems) or "weak marks in lexicons/ match the dev measurements")
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
