"""Character error rate for Mandarin transcripts: Simplified, punctuation and spaces removed,
Arabic numbers read out as Chinese numerals (so 5月20号 and 五月二十号 compare equal)."""

from __future__ import annotations

import re
import unicodedata

from .normalize import fold_width, to_simplified

DIGITS = "零一二三四五六七八九"
UNITS = ((10**8, "亿"), (10**4, "万"), (1000, "千"), (100, "百"), (10, "十"))
NUMBER = re.compile(r"\d+(?:\.\d+)?")


def integer_to_chinese(n: int) -> str:
    """Spoken reading of a non-negative integer: 3500 -> 三千五百, 20 -> 二十, 105 -> 一百零五."""
    if n < 10:
        return DIGITS[n]
    for value, unit in UNITS:
        if n >= value:
            head, rest = divmod(n, value)
            text = ("" if value == 10 and head == 1 else integer_to_chinese(head)) + unit
            if rest:
                gap = rest < value // 10
                spoken_rest = integer_to_chinese(rest)
                if gap and 10 <= rest < 20:
                    spoken_rest = "一" + spoken_rest  # 1010 -> 一千零一十
                text += ("零" if gap else "") + spoken_rest
            return text
    raise AssertionError("unreachable")


def _read_number(match: re.Match) -> str:
    token = match.group()
    whole, _, fraction = token.partition(".")
    if len(whole) > 1 and whole.startswith("0") or len(whole) > 8:  # phone numbers, codes: digit by digit
        spoken = "".join(DIGITS[int(d)] for d in whole)
    else:
        spoken = integer_to_chinese(int(whole))
    if fraction:
        spoken += "点" + "".join(DIGITS[int(d)] for d in fraction)
    return spoken


def normalize_for_cer(text: str) -> str:
    text = to_simplified("".join(fold_width(ch) for ch in text))
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)
    text = NUMBER.sub(_read_number, text).replace("两", "二")  # 两千 and 2000 read alike
    return "".join(ch for ch in text if not unicodedata.category(ch).startswith(("P", "Z", "S", "C")))


def edit_distance(ref: str, hyp: str) -> int:
    previous = list(range(len(hyp) + 1))
    for i, r in enumerate(ref, 1):
        current = [i]
        for j, h in enumerate(hyp, 1):
            current.append(min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + (r != h)))
        previous = current
    return previous[-1]


def cer(reference: str, hypothesis: str) -> float:
    ref, hyp = normalize_for_cer(reference), normalize_for_cer(hypothesis)
    return edit_distance(ref, hyp) / max(1, len(ref))


def pooled_cer(pairs: list[tuple[str, str]]) -> float:
    """Total edits over total reference characters (long clips weigh more, as they should)."""
    edits = sum(edit_distance(normalize_for_cer(r), normalize_for_cer(h)) for r, h in pairs)
    return edits / max(1, sum(len(normalize_for_cer(r)) for r, _ in pairs))
