"""How far two careful readers agree on the labelled sets: the ceiling for any detector.

`tests/data/conduct_relabels.jsonl` holds second (and for part of the held-out set, third) labels
given blind: each reader saw only the utterances, the labelling guide (tests/data/LABELLING.md) and
`../shared/domain.md`, never the writer's labels, the other reader's or the detector's output.
Each line is {"file", "line" (1-based line in that file), "text", "readers": {name: [labels]}}.

The script prints, per set, each reader scored against the writer's labels as if the reader were a
detector, the readers against each other, and the detector against the writer, against each
reader, and against the majority of writer and two readers on the same utterances.

Usage: python scripts/eval_agreement.py
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import eval_conduct  # noqa: E402

RELABELS = eval_conduct.DATA / "conduct_relabels.jsonl"


def load_relabels(path: Path = RELABELS) -> dict[str, list[dict]]:
    """Relabel lines by set, each checked against the utterance it names."""
    set_of = {p.name: name for name, paths in eval_conduct.SETS.items() for p in paths}
    files: dict[str, list[dict]] = {}
    by_set: dict[str, list[dict]] = {}
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        row = json.loads(line)
        if row["file"] not in set_of:
            raise SystemExit(f"{path.name}:{number}: no labelled set file {row['file']}")
        if row["file"] not in files:
            files[row["file"]] = eval_conduct.load([eval_conduct.DATA / row["file"]])
        item = files[row["file"]][row["line"] - 1]
        if item["text"] != row["text"]:
            raise SystemExit(f"{path.name}:{number}: text differs from {row['file']} line {row['line']}")
        by_set.setdefault(set_of[row["file"]], []).append(row | {"writer": item["labels"]})
    return by_set


def _print(title: str, scores: dict[str, tuple[float, float, int]], n: int) -> None:
    p, r, _ = scores["overall"]
    weakest = min((c for c in eval_conduct.CATEGORIES), key=lambda c: min(scores[c][:2]))
    print(f"  {title:<34} n={n:<5} P {p:.3f} R {r:.3f}   weakest: {weakest} P {scores[weakest][0]:.2f} R {scores[weakest][1]:.2f}")


def _majority(votes: list[list[str]]) -> set[str]:
    """The categories at least two of three labellings give (an adjudicated label)."""
    return {c for c in eval_conduct.CATEGORIES if sum(c in v for v in votes) >= 2}


def main() -> int:
    seen = eval_conduct.learnt()
    for name, rows in load_relabels().items():
        if name != "dev":  # as in eval_conduct.unseen: a text also in a dev file is not unseen
            rows = [row for row in rows if eval_conduct.text_key(row["text"]) not in seen]
        print(f"{name}: {len(rows)} utterances read again")
        readers = sorted({r for row in rows for r in row["readers"]})
        for reader in readers:
            mine = [row for row in rows if reader in row["readers"]]
            writer = [set(row["writer"]) for row in mine]
            _print(f"reader {reader} vs writer", eval_conduct.micro(writer, [set(row["readers"][reader]) for row in mine]), len(mine))
            detected = [eval_conduct.predict(row["text"]) for row in mine]
            _print("detector vs writer", eval_conduct.micro(writer, detected), len(mine))
            _print(f"detector vs reader {reader}", eval_conduct.micro([set(row["readers"][reader]) for row in mine], detected), len(mine))
        for a, b in zip(readers, readers[1:]):
            both = [row for row in rows if a in row["readers"] and b in row["readers"]]
            if both:
                ref = [set(row["readers"][a]) for row in both]
                _print(f"reader {b} vs reader {a}", eval_conduct.micro(ref, [set(row["readers"][b]) for row in both]), len(both))
                majority = [_majority([row["writer"], row["readers"][a], row["readers"][b]]) for row in both]
                detected = [eval_conduct.predict(row["text"]) for row in both]
                _print("detector vs majority of three", eval_conduct.micro(majority, detected), len(both))
    return 0


if __name__ == "__main__":
    sys.exit(main())
