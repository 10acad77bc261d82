"""Precision and recall of the conduct detector on the labelled sets in tests/data/.

Scored per utterance and category: an utterance counts as predicted for a category when at least
one finding of that category is reported in it (any severity). `--errors` lists the misses and
false alarms of the dev set (never tune on the held-out set).

Usage: python scripts/eval_conduct.py [--errors]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from analyzer.detect.conduct import detect_conduct  # noqa: E402
from analyzer.lexicon import default_lexicons  # noqa: E402
from analyzer.normalize import normalize  # noqa: E402

DATA = ROOT / "tests" / "data"
# "independent": 240 utterances written by a separate author who never saw the lexicons, the dev
# set or the detector (measured once before any change: P 0.901, R 0.636). Never tune on it.
# Each set is split over several files (conduct_dev*.jsonl, conduct_heldout*.jsonl), one per writing
# round and style. Every file but the original conduct_dev.jsonl and conduct_heldout.jsonl was written
# by a separate author (a helper session given only shared/domain.md and a labelling guide, never the
# lexicons, the model or the other files). Held-out files are never tuned on: the detector only
# learns from the dev files (lexicon edits from their errors; the model is trained on them).
SETS = {
    "dev": sorted(DATA.glob("conduct_dev*.jsonl")),
    "held-out": sorted(DATA.glob("conduct_heldout*.jsonl")),
    "independent": [DATA / "conduct_blind.jsonl"],
}
CATEGORIES = (
    "violent_threat", "intimidation", "insult", "third_party_contact", "privacy_disclosure",
    "impersonation", "false_legal_claim", "credit_misstatement", "unauthorised_fee",
)


def load(paths: list[Path]) -> list[dict]:
    """The labelled utterances of `paths`, each with the name of its file (its writer) as "file"."""
    return [{**json.loads(line), "file": path.name}
            for path in paths for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def text_key(text: str) -> str:
    """The letters and digits of an utterance: lines that differ only in punctuation or spacing are
    the same utterance."""
    return "".join(ch for ch in text if ch.isalnum())


def learnt() -> set[str]:
    """The text keys of the dev utterances, which the detector learnt from."""
    return {text_key(i["text"]) for i in load(SETS["dev"])}


def unseen(name: str) -> tuple[list[dict], int]:
    """The utterances of set `name` whose text is in no dev file, and how many were left out for
    that reason. Writers of different files sometimes hit the same short line (嗯，好的); scored as
    held-out it would measure memory, not generalisation."""
    items = load(SETS[name])
    if name == "dev":
        return items, 0
    seen = learnt()
    kept = [i for i in items if text_key(i["text"]) not in seen]
    return kept, len(items) - len(kept)


def predict(text: str) -> set[str]:
    findings, _ = detect_conduct(normalize(text), default_lexicons())
    return {f.category for f in findings}


def ratio(a: int, b: int) -> float:
    return a / b if b else 1.0


def micro(reference: list[set[str]], predicted: list[set[str]]) -> dict[str, tuple[float, float, int]]:
    """{category: (precision, recall, support)} of `predicted` against `reference`, plus "overall"
    (micro-averaged)."""
    counts = {c: [0, 0, 0] for c in (*CATEGORIES, "overall")}  # true positives, false positives, false negatives
    for ref, got in zip(reference, predicted):
        for c in ref | got:
            for key in (c, "overall"):
                counts[key][0 if c in ref and c in got else 1 if c in got else 2] += 1
    return {c: (ratio(tp, tp + fp), ratio(tp, tp + fn), tp + fn) for c, (tp, fp, fn) in counts.items()}


def score(items: list[dict]) -> dict:
    """{category: (precision, recall, support)} plus "overall" (micro-averaged), and the errors."""
    gold = [set(item["labels"]) for item in items]
    got = [predict(item["text"]) for item in items]
    errors = [(item["text"], sorted(g), sorted(p)) for item, g, p in zip(items, gold, got) if g != p]
    return {"scores": micro(gold, got), "errors": errors, "utterances": len(items),
            "negatives": sum(1 for i in items if not i["labels"])}


def main(argv: list[str]) -> int:
    for name in SETS:
        items, left_out = unseen(name)
        report = score(items)
        also = f" ({left_out} more left out: their text is also in a dev file)" if left_out else ""
        print(f"{name}: {report['utterances']} utterances, {report['negatives']} without a violation{also}")
        print(f"  {'category':<22} {'precision':>9} {'recall':>7} {'support':>7}")
        for category, (p, r, n) in report["scores"].items():
            print(f"  {category:<22} {p:>9.3f} {r:>7.3f} {n:>7}")
        if "--errors" in argv and name == "dev":
            for text, gold, got in report["errors"]:
                print(f"    ERR {text}  gold={gold} got={got}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
