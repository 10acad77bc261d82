"""CER normalisation: Simplified, no punctuation, Arabic numbers read as spoken Chinese."""

import pytest

from analyzer.cer import cer, edit_distance, integer_to_chinese, normalize_for_cer, pooled_cer


@pytest.mark.parametrize(
    ("number", "spoken"),
    [(0, "零"), (7, "七"), (10, "十"), (20, "二十"), (105, "一百零五"), (1010, "一千零一十"),
     (3500, "三千五百"), (20000, "二万"), (36000, "三万六千"), (120000, "十二万")],
)  # fmt: skip
def test_integer_reading(number, spoken):
    assert integer_to_chinese(number) == spoken


def test_numbers_compare_equal_to_their_reading():
    assert cer("最后的日期是五月二十号", "最后的日期是5月20号") == 0.0
    assert cer("一共是三万六千元", "一共是36,000元") == 0.0
    assert cer("我每个月可以付两千元", "我每个月可以付2000元") == 0.0


def test_phone_numbers_are_read_digit_by_digit():
    assert normalize_for_cer("13912345678") == "一三九一二三四五六七八"
    assert normalize_for_cer("010") == "零一零"


def test_traditional_punctuation_and_width_are_ignored():
    assert normalize_for_cer("您好，請問是王先生嗎？ Ｏ Ｋ") == "您好请问是王先生吗OK"
    assert cer("您好，请问是王先生吗？", "您好 請問是王先生嗎") == 0.0


def test_edit_distance_and_rates():
    assert edit_distance("abc", "abc") == 0
    assert edit_distance("abc", "axc") == 1
    assert edit_distance("abc", "") == 3
    assert cer("王先生", "黄先生") == pytest.approx(1 / 3)
    assert cer("", "") == 0.0


def test_pooled_cer_weighs_long_references_more():
    pairs = [("一二三四五六七八九十", "一二三四五六七八九十"), ("好", "")]
    assert pooled_cer(pairs) == pytest.approx(1 / 11)
