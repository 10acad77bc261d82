"""Money amounts: spoken forms, units, money context, look-alikes, spans, speed, gold-set F1."""

from __future__ import annotations

import importlib.util
import sys
import time
from decimal import Decimal
from functools import lru_cache
from pathlib import Path

import pytest

from analyzer.detect.amounts import extract_amounts
from analyzer.normalize import normalize

REPO = Path(__file__).resolve().parents[1]


@lru_cache(maxsize=1)
def load_eval():
    """scripts/eval_extract.py: the one place where gold and conformance scores are computed."""
    spec = importlib.util.spec_from_file_location("eval_extract", REPO / "scripts" / "eval_extract.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules["eval_extract"] = module  # dataclasses look their module up while it loads
    spec.loader.exec_module(module)
    return module


def amounts(text):
    return [(a.quote, a.value, a.value_max, a.approximate, a.currency) for a in extract_amounts(normalize(text))]


@pytest.mark.parametrize(
    ("text", "quote", "value"),
    [
        ("明天下午三点之前，你必须还两万块钱", "两万块钱", 20000),
        ("下个月十号我发工资，十号先付三千", "三千", 3000),
        ("我每个月可以付两千元", "两千元", 2000),
        ("其余的六千", "六千", 6000),
        ("你欠的一万两千元，星期三之前必须还", "一万两千元", 12000),
        ("一共是三万六千元", "三万六千元", 36000),
        ("我下个星期五还四千", "四千", 4000),
        ("滞纳金三百六十五块五毛", "三百六十五块五毛", Decimal("365.5")),
        ("一杯十二块五", "十二块五", Decimal("12.5")),
        ("还3万2就结清", "3万2", 32000),
        ("先还千三", "千三", 1300),
        ("欠款2,000元", "2,000元", 2000),
        ("逾期费用１２００元", "１２００元", 1200),
        ("伍仟叁佰元整", "伍仟叁佰元", 5300),
        ("50元6角三分", "50元6角三分", Decimal("50.63")),
        ("￥300", "￥300", 300),
        ("两毛五", "两毛五", Decimal("0.25")),
    ],
)
def test_amounts_found_with_quote_and_value(text, quote, value):
    found = amounts(text)
    assert [(q, v) for q, v, *_ in found] == [(quote, Decimal(value))]


def test_approximations_and_ranges():
    assert amounts("你欠了八百多块钱") == [("八百多块钱", 800, None, True, "CNY")]
    assert amounts("我现在手上只有三四千") == [("三四千", 3000, 4000, False, "CNY")]
    assert amounts("先还三到五千") == [("三到五千", 3000, 5000, False, "CNY")]


@pytest.mark.parametrize(
    "text",
    ["已经三天了", "十号再说", "五点之前回电话", "尾号3456的卡", "我一分钱都没有", "一块钱都不给", "一毛钱也没有", "利率百分之二十四", "还有5%的手续费",
     "已经三个月了", "打我电话13800138000", "二零二四年五月八号", "我们一块去银行", "首付三成", "分十二期还",
     "我还三次都没打通", "尾号是3456", "还款13800138000", "我们打了三百多次", "他们公司有两万人",
     "两千年的时候", "一共打了三千多个电话"],
)
def test_not_amounts(text):
    assert amounts(text) == []


def test_thousands_are_money_even_when_asr_loses_the_verb():
    # Whisper heard 还四千 as 环四千; a bare number in the thousands counts nothing else here.
    assert [(q, v) for q, v, *_ in amounts("我下个星期五环四千")] == [("四千", 4000)]
    assert amounts("他说了五百") == []  # below a thousand a cue is still needed


def test_a_digit_that_starts_a_date_is_not_part_of_the_amount():
    assert [(q, v) for q, v, *_ in amounts("其余的六千五月三十号之前还清")] == [("六千", 6000)]
    assert [(q, v) for q, v, *_ in amounts("我三千五点之前给你")] == [("三千", 3000)]


def test_other_currencies_are_not_yuan():
    assert [(q, c) for q, _, _, _, c in amounts("花了五美元和三块")] == [("五美元", "USD"), ("三块", "CNY")]


def test_spans_point_into_the_original_traditional_text():
    text = "減免以後你還要還一萬零五百塊"
    (amount,) = extract_amounts(normalize(text))
    assert text[amount.start:amount.end] == amount.quote == "一萬零五百塊"
    assert amount.value == 10500


def test_one_megabyte_of_call_text_is_fast():
    sentences = [row["text"] for row in load_eval().load_gold()]
    filler = "喂，你好，请问是王先生吗？我是平台的工作人员，想跟您核实一下您的账单情况。您现在方便说话吗？"
    text = "".join(s + "。" + filler for s in sentences)
    text = (text * (1_000_000 // len(text.encode()) + 1))[: 1_000_000 // 3]
    norm = normalize(text)
    started = time.perf_counter()
    found = extract_amounts(norm)
    elapsed = time.perf_counter() - started
    assert len(found) > 100
    assert elapsed < 2.5, f"{len(text.encode()) / 1e6:.2f} MB took {elapsed:.2f} s"


def test_gold_set_amounts_f1():
    evaluation = load_eval()
    amounts_score, _ = evaluation.gold_scores(evaluation.load_gold())
    assert len(evaluation.load_gold()) >= 150
    assert amounts_score.f1 >= 0.95, amounts_score.errors
