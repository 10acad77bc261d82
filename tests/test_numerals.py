"""Spoken and written Chinese numerals -> Decimal."""

from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from analyzer.numerals import find_numbers, parse_number, scan_numbers


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("一万二", 12000), ("两千五", 2500), ("3万2", 32000), ("一万二千八", 12800), ("千三", 1300),
        ("伍仟叁佰", 5300), ("2,000", 2000), ("２０００", 2000), ("一千零五", 1005), ("十五", 15),
        ("九百九", 990), ("一万零二百五十", 10250), ("四万万", 400000000), ("4.78万亿", 4780000000000),
        ("两千三点一", Decimal("2300.1")), ("零点五", Decimal("0.5")), ("兩萬", 20000), ("壹萬貳仟", 12000),
        ("3万4000", 34000), ("一亿五", 150000000), ("负三十二", -32), ("十万零六", 100006), ("两", 2),
    ],
)
def test_parse_number(text, value):
    assert parse_number(text) == Decimal(value)


def test_parse_number_rejects_text_that_is_not_one_numeral():
    assert parse_number("三天") is None
    assert parse_number("两千三千") is None
    assert parse_number("") is None


def test_ranges_and_approximations():
    (rng,) = scan_numbers("三四千")
    assert (rng.value, rng.value_max, rng.approximate) == (3000, 4000, False)
    (few,) = scan_numbers("十几万")
    assert (few.value, few.value_max, few.approximate) == (100000, 190000, True)
    (more,) = scan_numbers("十多万")
    assert (more.value, more.approximate) == (100000, True)


def test_find_numbers_spans_and_word_guards():
    text = "他欠了一万二，四川的朋友一定会还两千三千也行"
    found = find_numbers(text)
    assert [(text[s:e], v) for s, e, v in found] == [("一万二", 12000), ("两千", 2000), ("三千", 3000)]


def test_digit_strings_are_read_digit_by_digit():
    (year,) = scan_numbers("二零二四")
    assert year.digit_string and year.value == 2024


def _to_chinese(n: int) -> str:
    """The formal reading of n (0 < n < 10**12), written independently of the parser."""
    digits = "零一二三四五六七八九"

    def section(k: int) -> str:
        out, gap = "", False
        for unit, name in ((1000, "千"), (100, "百"), (10, "十"), (1, "")):
            d = k // unit % 10
            if d == 0:
                gap = bool(out)
                continue
            out += ("零" if gap else "") + digits[d] + name
            gap = False
        return out

    out, gap = "", False
    for value, name in ((n // 10**8, "亿"), (n // 10**4 % 10**4, "万"), (n % 10**4, "")):
        if value == 0:
            gap = bool(out)
            continue
        if out and (gap or value < 1000):
            out += "零"
        out += section(value) + name
        gap = False
    return out


@settings(max_examples=300, deadline=None)
@given(st.integers(min_value=1, max_value=10**12 - 1))
def test_round_trip_formal_readings(n):
    assert parse_number(_to_chinese(n)) == n


@settings(max_examples=200, deadline=None)
@given(st.text(alphabet="一二两三四五六七八九十百千万亿零点多几块元0123456789,. 天号", max_size=30))
def test_find_numbers_never_fails_and_spans_stay_inside(text):
    for start, end, value in find_numbers(text):
        assert 0 <= start < end <= len(text)
        assert isinstance(value, Decimal)
