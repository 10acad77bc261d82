"""Measure the amount and date extractors.

Prints amounts and dates precision/recall/F1 on our gold set (tests/data/gold_amounts_dates.jsonl:
split "dev", tuned on; "heldout" and "fresh", written before measuring and not tuned on), and the pass counts on the Microsoft Recognizers-Text Chinese specs in
../shared/conformance/recognizers-text/ when that folder is there.

    .venv/bin/python scripts/eval_extract.py

The tests import this file for the same numbers (tests/test_conformance_recognizers.py,
tests/test_detect_amounts.py), so the script and the tests cannot disagree.
"""

from __future__ import annotations

import json
import re
import sys
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from zoneinfo import ZoneInfo

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from analyzer.detect.amounts import extract_amounts
from analyzer.detect.dates import duration_seconds, extract_dates
from analyzer.normalize import normalize
from analyzer.numerals import find_numbers

SHARED = REPO.parent / "shared"
CONFORMANCE = SHARED / "conformance" / "recognizers-text"
GOLD = REPO / "tests" / "data" / "gold_amounts_dates.jsonl"
ZONE = ZoneInfo("Asia/Shanghai")

# Subset rules (what "the numeral subset" and "the date subset" mean):
# - NumberModel: cases with exactly one result of type "number" whose text is a plain numeral:
#   only digits, Chinese numerals (incl. financial and Traditional forms), separators, spaces,
#   点/. decimals, 负/- and the approximation marks 多/余/几. This leaves out fractions (分之, /),
#   powers and exponents (^, e), "k"/"M" suffixes, dozens (打), 半百 and 倆.
PLAIN_NUMERAL = re.compile(r"[0-9,.，．\s零〇一二两兩三四五六七八九十百千万萬亿億兆壹贰貳叁參肆伍陆陸柒捌玖拾佰仟负負点點余多几幾-]+")
# - DateTimeModel: cases with a ReferenceDateTime and exactly one result that is a single date,
#   time, date-time or duration (no Mod), or a deadline (a *range result with Mod "before" or
#   "until"), whose resolution is resolved; minus the lunar calendar and imperial eras, which
#   nobody uses to set a repayment date.
DATE_TYPES = {"date", "time", "datetime", "duration"}
NOT_CIVIL_CALENDAR = re.compile(r"农历|正月|腊月|初[一二三四五六七八九十]|大年|神龙|康熙|雍正|乾隆|民国")


def _load(relative: str) -> list[dict]:
    with open(CONFORMANCE / relative, encoding="utf-8-sig") as handle:
        return json.load(handle)


@dataclass
class Score:
    passed: int = 0
    total: int = 0
    failures: list[str] = field(default_factory=list)

    def add(self, ok: bool, label: str) -> None:
        self.total += 1
        self.passed += ok
        if not ok:
            self.failures.append(label)

    @property
    def rate(self) -> float:
        return self.passed / self.total if self.total else 0.0


def currency_score() -> Score:
    """CurrencyModel cases with a CNY result: every CNY amount found with its value and span,
    and no other CNY amount reported. A CNY result without a value (the bare word 人民币) is not
    an amount, so we must report nothing there."""
    score = Score()
    for case in _load("NumberWithUnit/Chinese/CurrencyModel.json"):
        expected = [r for r in case["Results"] if r["Resolution"].get("isoCurrency") == "CNY"]
        if not expected:
            continue
        ours = [a for a in extract_amounts(normalize(case["Input"])) if a.currency == "CNY"]
        valued = [r for r in expected if r["Resolution"].get("value") is not None]
        ok = all(
            any(a.value == Decimal(r["Resolution"]["value"]) and a.start < r["End"] + 1 and r["Start"] < a.end for a in ours)
            for r in valued
        ) and len(ours) == len(valued)
        score.add(ok, f"{case['Input']!r}: expected {[r['Text'] for r in valued]}, got {[(a.quote, str(a.value)) for a in ours]}")
    return score


def numeral_score() -> Score:
    """NumberModel plain-numeral subset: a number with the expected value at the expected start."""
    score = Score()
    for case in _load("Number/Chinese/NumberModel.json"):
        results = case["Results"]
        if len(results) != 1 or results[0]["TypeName"] != "number":
            continue
        if not PLAIN_NUMERAL.fullmatch(results[0]["Text"]):
            continue
        want = Decimal(results[0]["Resolution"]["value"])
        found = find_numbers(case["Input"])
        ok = any(start == results[0]["Start"] and value == want for start, _, value in found)
        score.add(ok, f"{case['Input']!r}: expected {want}, got {[str(v) for _, _, v in found]}")
    return score


def _date_expectation(case: dict) -> tuple[str, list[str]] | None:
    """(what to compare, accepted values) for a case in the date subset, else None."""
    if "ReferenceDateTime" not in case.get("Context", {}) or len(case["Results"]) != 1:
        return None
    result = case["Results"][0]
    if NOT_CIVIL_CALENDAR.search(result["Text"]):
        return None
    kind = result["TypeName"].rsplit(".", 1)[-1]
    values = result["Resolution"]["values"]
    if any(v.get("value") == "not resolved" for v in values):
        return None
    mods = {v.get("Mod") for v in values}
    if kind in DATE_TYPES and mods == {None}:
        return kind, [v["value"] for v in values]
    if kind.endswith("range") and mods and mods <= {"before", "until"}:
        return "deadline", [v["end"] for v in values]
    return None


def _matches(mention, what: str, accepted: list[str]) -> bool:
    if mention.value is None:
        return False
    if what == "duration":
        return mention.kind == "duration" and any(abs(duration_seconds(mention.value) - float(v)) < 1 for v in accepted)
    if what == "deadline" and mention.kind != "deadline":
        return False
    if what != "deadline" and mention.kind == "duration":
        return False
    value = mention.value.replace("T", " ")
    for want in accepted:
        if len(want) == 8 and ":" in want:  # a time of day
            if value[11:19] == want:
                return True
        elif value[: len(want)] == want and (len(want) > 10 or len(value) == 10 or what != "date"):
            return True
    return False


def date_score() -> Score:
    score = Score()
    for case in _load("DateTime/Chinese/DateTimeModel.json"):
        expectation = _date_expectation(case)
        if expectation is None:
            continue
        what, accepted = expectation
        reference = datetime.fromisoformat(case["Context"]["ReferenceDateTime"]).replace(tzinfo=ZONE)
        result = case["Results"][0]
        mentions = extract_dates(normalize(case["Input"]), reference)
        ok = any(
            m.start < result["End"] + 1 and result["Start"] < m.end and _matches(m, what, accepted) for m in mentions
        )
        score.add(ok, f"{case['Input']!r} [{what}]: expected {accepted}, got {[(m.quote, m.kind, m.value) for m in mentions]}")
    return score


# --- gold set -------------------------------------------------------------------------------


def load_gold(split: str | None = None) -> list[dict]:
    rows = [json.loads(line) for line in GOLD.read_text(encoding="utf-8").splitlines() if line.strip()]
    return [r for r in rows if split is None or r["split"] == split]


@dataclass
class PRF:
    tp: int = 0
    fp: int = 0
    fn: int = 0
    errors: list[str] = field(default_factory=list)

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def count(self, want: list, got: list, label: str) -> None:
        remaining = list(got)
        for item in want:
            if item in remaining:
                remaining.remove(item)
                self.tp += 1
            else:
                self.fn += 1
                self.errors.append(f"missed {item} in {label}")
        self.fp += len(remaining)
        self.errors.extend(f"spurious {item} in {label}" for item in remaining)


def gold_scores(rows: list[dict], reference: str | None = None) -> tuple[PRF, PRF]:
    """Amounts are compared as (value, value_max); dates as (kind, value, value_end)."""
    amounts, dates = PRF(), PRF()
    for row in rows:
        ref = datetime.fromisoformat(reference or row["reference"])
        norm = normalize(row["text"])
        got_amounts = [
            [str(a.value), None if a.value_max is None else str(a.value_max)] for a in extract_amounts(norm)
        ]
        want_amounts = [[str(Decimal(a[0])), None if a[1] is None else str(Decimal(a[1]))] for a in row["amounts"]]
        amounts.count(want_amounts, got_amounts, row["text"])
        got_dates = [[d.kind, d.value, d.value_end] for d in extract_dates(norm, ref)]
        dates.count([list(d) for d in row["dates"]], got_dates, row["text"])
    return amounts, dates


def main() -> int:
    splits = sorted({row["split"] for row in load_gold()})
    for split in [*splits, None]:
        rows = load_gold(split)
        amounts, dates = gold_scores(rows)
        name = split or "all"
        print(
            f"gold {name:8s} ({len(rows):3d} sentences)  amounts P={amounts.precision:.3f} R={amounts.recall:.3f} "
            f"F1={amounts.f1:.3f}   dates P={dates.precision:.3f} R={dates.recall:.3f} F1={dates.f1:.3f}"
        )
        if "-v" in sys.argv and split is None:
            for line in amounts.errors + dates.errors:
                print("   ", line)
    if not CONFORMANCE.is_dir():
        print(f"conformance: skipped, {CONFORMANCE} is absent")
        return 0
    for name, score in (("CurrencyModel CNY", currency_score()), ("NumberModel plain numerals", numeral_score()),
                        ("DateTimeModel single date/time/deadline/duration", date_score())):
        print(f"conformance {name}: {score.passed}/{score.total} ({score.rate:.1%})")
        for failure in score.failures:
            print("    FAIL", failure)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
