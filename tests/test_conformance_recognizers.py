"""Conformance with the Microsoft Recognizers-Text Chinese specs in ../shared (a peer's test suite).

The subset rules and the scoring live in scripts/eval_extract.py. Failures we accept, and why:
- CurrencyModel '江苏彩民15元中大乐透1600万 奖池36.57亿': we also report 1600万 and 36.57亿 as yuan,
  because a bare number in the thousands or more is read as money (right for collection calls,
  where ASR often loses the verb; the spec labels only amounts that carry a unit).
- NumberModel '...9' and '－－9': runs of dots or dashes before a digit; we read them as a decimal
  point or a minus sign (Recognizers' own JavaScript port fails these too).
- DateTimeModel '最近' ("recently"): not a date a collector sets; we do not report it.
- '07 年以前': a two-digit year before a duration-like "年"; ambiguous with "7 years", left out.
- '2013年及以前': we report the deadline as 2013-12-31 (inclusive); Recognizers gives the exclusive
  end 2014-01-01.
- '1/2/2020' (day/month/year) and '12-11-10' (yy-mm-dd): numeric layouts not used in Chinese speech
  or ASR output; we read only year-first and month/day forms.
"""

from __future__ import annotations

import pytest

from .test_detect_amounts import load_eval

pytestmark = pytest.mark.shared

ACCEPTED_NUMERAL_FAILURES = {"'...9'", "'－－9'"}
ACCEPTED_DATE_FAILURES = {"'最近'", "'他07 年以前就毕业了'", "'哪种网络连接的最高单位不超过在包括2013年及以前的最高单位？'",
                          "'1/2/2020'", "'你12-11-10有时间吗'"}


@pytest.fixture(scope="module")
def evaluation():
    module = load_eval()
    if not module.CONFORMANCE.is_dir():
        pytest.skip(f"{module.CONFORMANCE} is absent (../shared is not checked out here)")
    return module


def _report(name, score):
    print(f"\n{name}: {score.passed}/{score.total} ({score.rate:.1%})")
    for failure in score.failures:
        print("  FAIL", failure)


def _inputs(score):
    return {failure.split(":", 1)[0].split(" [", 1)[0] for failure in score.failures}


def test_currency_cny(evaluation):
    score = evaluation.currency_score()
    _report("CurrencyModel CNY", score)
    assert score.total == 16
    assert score.passed >= 15
    assert all(f.startswith("'江苏彩民") for f in score.failures)


def test_numeral_subset(evaluation):
    score = evaluation.numeral_score()
    _report("NumberModel plain numerals", score)
    assert score.total >= 200
    assert score.rate >= 0.90
    assert _inputs(score) <= ACCEPTED_NUMERAL_FAILURES


def test_date_subset(evaluation):
    score = evaluation.date_score()
    _report("DateTimeModel single date/time/deadline/duration", score)
    assert score.total >= 90
    assert score.rate >= 0.85
    assert _inputs(score) <= ACCEPTED_DATE_FAILURES
