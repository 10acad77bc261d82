"""Spoken and written Chinese numerals -> Decimal.

Pure functions, standard library only. Handles what people say on the phone, not only what they
write: 一万二 = 12000, 两千五 = 2500, 3万2 = 32000, 千三 = 1300, 伍仟叁佰, 2,000, full-width digits,
Traditional characters (萬 億 兩), approximations (十几, 八百多 as "多" before a unit, 几千) and
ranges (三四千 = 3000..4000). `find_numbers` scans free text; `parse_number` reads one numeral.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal
from functools import lru_cache

DIGIT_VALUES = {
    "零": 0, "〇": 0, "0": 0,
    "一": 1, "壹": 1, "幺": 1,
    "二": 2, "贰": 2, "貳": 2, "两": 2, "兩": 2, "俩": 2, "倆": 2,
    "三": 3, "叁": 3, "參": 3,
    "四": 4, "肆": 4,
    "五": 5, "伍": 5,
    "六": 6, "陆": 6, "陸": 6,
    "七": 7, "柒": 7,
    "八": 8, "捌": 8,
    "九": 9, "玖": 9,
}
SMALL_UNITS = {"十": 10, "拾": 10, "百": 100, "佰": 100, "千": 1000, "仟": 1000}
BIG_UNITS = {"万": 10**4, "萬": 10**4, "亿": 10**8, "億": 10**8, "兆": 10**12}
APPROX_CHARS = "多余餘"
FEW_CHARS = "几幾"
POINT_CHARS = "点點"
MINUS_CHARS = "负負-"

_ARABIC_PATTERN = r"[0-9]{1,3}(?:,[0-9]{3})+(?:\.[0-9]+)?(?![0-9])|[0-9]*\.[0-9]+|[0-9]+"
_CN_DIGITS = "".join(k for k in DIGIT_VALUES if not k.isdigit())
_NUM_CHAR = _CN_DIGITS + "".join(SMALL_UNITS) + "".join(BIG_UNITS) + FEW_CHARS
# A candidate run: numeral characters, Arabic numbers, decimal points and approximation marks
# that sit inside a numeral; single spaces between numeral pieces ("7 万5 千4 百") are allowed.
_RUN = re.compile(
    rf"(?:(?<![0-9])[{MINUS_CHARS}](?=[0-9.{_NUM_CHAR}]))?"
    rf"(?:{_ARABIC_PATTERN}|[{_NUM_CHAR}])"
    rf"(?:{_ARABIC_PATTERN}|[{_NUM_CHAR}]"
    rf"|[{APPROX_CHARS}](?=\s*[{''.join(SMALL_UNITS)}{''.join(BIG_UNITS)}])"
    rf"|[{POINT_CHARS}](?=\s*[{_CN_DIGITS}0-9])|\s+(?=[0-9{_NUM_CHAR}{POINT_CHARS}{APPROX_CHARS}]))*"
)
_ARABIC = re.compile(_ARABIC_PATTERN)
# Words written with numeral characters that are not numbers.
_NOT_NUMBERS = re.compile(
    "(?<![0-9零〇一二两三四五六七八九十百千万亿])(?:四川|一定|一起|一下|一些|一直|一般|一样|一切|一旦|万一|统一|唯一|一点儿|一点点|一会|十分|万分|"
    "一边|一面|一向|一律|千万(?=[别不要记得])|万万(?=[不没别])|一块儿|一再|一概|一致|一时|一度|"
    "一口气|一辈子|一方面|一心|一生|一路|三天两头|乱七八糟|七上八下|不三不四|五花八门|一五一十|"
    "一模一样|一屁股|一把手|一手|一家人|三番五次|一而再|再三|万事|"
    "萬一|統一|一樣|一會|一塊兒)"
)


@dataclass(frozen=True)
class Number:
    """One numeral found in text: span, value (lower bound) and upper bound of a range."""

    start: int
    end: int
    value: Decimal
    value_max: Decimal | None = None
    approximate: bool = False
    digit_string: bool = False  # 二零二四 / 一三八...: read digit by digit (years, phone numbers)
    has_unit: bool = False  # contains 十/百/千/万/亿 or is an Arabic number with several digits


@dataclass(frozen=True)
class _Tok:
    kind: str  # "d" digit(s), "s" small unit, "b" big unit, "p" point, "a" approx mark, "-" minus
    start: int
    end: int
    lo: Decimal = Decimal(0)
    hi: Decimal = Decimal(0)
    arabic: bool = False
    width: int = 1  # digits in an Arabic number, for 3万2 (abbreviated) vs 3万4000
    digits: bool = False  # a digit string
    few: bool = False  # 几


def _tokens(run: str, offset: int) -> list[_Tok]:
    toks: list[_Tok] = []
    i = 0
    while i < len(run):
        ch = run[i]
        if ch.isspace():
            i += 1
            continue
        m = _ARABIC.match(run, i)
        if m:
            raw = m.group().replace(",", "")
            value = Decimal(raw)
            width = len(raw.split(".")[0]) if "." not in raw else 9
            toks.append(_Tok("d", offset + i, offset + m.end(), value, value, arabic=True, width=width))
            i = m.end()
            continue
        if ch in DIGIT_VALUES:
            j = i
            while j < len(run) and run[j] in DIGIT_VALUES and not run[j].isdigit():
                j += 1
            toks.extend(_digit_run(run[i:j], offset + i, bool(toks) and toks[-1].kind in "sb"))
            i = j
            continue
        if ch in SMALL_UNITS:
            v = Decimal(SMALL_UNITS[ch])
            toks.append(_Tok("s", offset + i, offset + i + 1, v, v))
        elif ch in BIG_UNITS:
            v = Decimal(BIG_UNITS[ch])
            toks.append(_Tok("b", offset + i, offset + i + 1, v, v))
        elif ch in FEW_CHARS:
            toks.append(_Tok("d", offset + i, offset + i + 1, Decimal(0), Decimal(9), few=True))
        elif ch in POINT_CHARS or ch == ".":
            toks.append(_Tok("p", offset + i, offset + i + 1))
        elif ch in APPROX_CHARS:
            toks.append(_Tok("a", offset + i, offset + i + 1))
        elif ch in MINUS_CHARS:
            toks.append(_Tok("-", offset + i, offset + i + 1))
        i += 1
    return toks


def _digit_run(chars: str, start: int, after_unit: bool) -> list[_Tok]:
    """Consecutive Chinese digits: one digit, a range (三四, 一两), or a digit string (二零二四)."""
    if after_unit and len(chars) > 1 and DIGIT_VALUES[chars[0]] == 0:
        return [_Tok("d", start, start + 1)] + _digit_run(chars[1:], start + 1, False)
    values = [DIGIT_VALUES[c] for c in chars]
    if len(values) == 1:
        v = Decimal(values[0])
        return [_Tok("d", start, start + 1, v, v)]
    if len(values) == 2 and values[1] == values[0] + 1 and values[0] > 0:
        return [_Tok("d", start, start + 2, Decimal(values[0]), Decimal(values[1]))]
    v = Decimal("".join(map(str, values)))
    return [_Tok("d", start, start + len(chars), v, v, digits=True, width=len(chars))]


def _finish(total, section, digit, prev_unit, zero, tok):
    """Value of the numeral read so far; a lone digit right after a unit is abbreviated
    (一万二 = 12000, 两千五 = 2500, 十五 = 15)."""
    if digit is None:
        return total + section
    if not zero and prev_unit is not None and tok is not None and tok.width == 1:
        return total + section + digit * prev_unit / 10
    return total + section + digit


def _parse(toks: list[_Tok], i: int, upper: bool):
    """Longest well-formed numeral starting at toks[i] -> (index after it, value, approximate)."""
    total = section = Decimal(0)
    digit = digit_tok = prev_unit = None
    zero = approx = False
    last_small, last_big = 10**4, 10**20
    best = None  # (end index, value, approx) of the longest valid prefix
    before_digit = None
    j = i
    while j < len(toks):
        t = toks[j]
        if t.kind == "d":
            if digit is not None or (t.digits and j > i):
                break
            if t.lo == t.hi == 0 and not t.arabic and not t.few and j + 1 < len(toks) and toks[j + 1].kind in "ds":
                zero = True  # 零 inside a numeral: 一千零五, 零十
                j += 1
                continue
            before_digit = best
            digit, digit_tok = (t.hi if upper else t.lo), t
            if t.few and j == i:
                digit = Decimal(9 if upper else 1)
            approx = approx or t.few
            j += 1
            best = (j, _finish(total, section, digit, prev_unit, zero, digit_tok), approx)
            if t.digits:
                break
            continue
        if t.kind == "s":
            # 3000千 (an ASR echo) or 12百 is not a numeral: 十/百/千 follow a single digit
            if digit_tok is not None and (digit_tok.digits or (digit_tok.arabic and digit_tok.width > 1)):
                break
            if t.lo >= last_small or (digit is None and section and not zero):
                best = before_digit if digit is not None else best
                break
            section += (Decimal(1) if digit is None else digit) * t.lo
            last_small, prev_unit = t.lo, t.lo
        elif t.kind == "b":
            if digit is None and section == 0 and total == 0:
                break
            if digit_tok is not None and digit_tok.digits:
                break
            group = section + (digit or 0)
            if t.lo < last_big:
                total += group * t.lo
                last_big = t.lo
            elif group == 0:
                total *= t.lo
                last_big *= t.lo
            else:
                total = (total + group) * t.lo
                last_big = t.lo
            section = Decimal(0)
            last_small, prev_unit = 10**4, t.lo
        elif t.kind == "a":
            if j + 1 >= len(toks) or toks[j + 1].kind not in "sb":
                break
            if digit is not None:  # 500余万
                if not digit_tok.arabic:
                    break
                section += digit
                digit = digit_tok = None
            approx = True
            j += 1
            continue
        else:
            break
        digit = digit_tok = None
        zero = False
        j += 1
        best = (j, _finish(total, section, None, prev_unit, zero, None), approx)
    if best is None:
        return None
    end, value, approx = best
    return _decimal_part(toks, end, value, approx, total, section)


def _decimal_part(toks, end, value, approx, total, section):
    """点 followed by digits: 十五点七, 两千三点一, 三点五万; not a clock time (三点五十)."""
    if end + 1 >= len(toks) or toks[end].kind != "p":
        return end, value, approx
    frac = toks[end + 1]
    if frac.kind != "d" or frac.arabic or frac.few or frac.lo != frac.hi:
        return end, value, approx
    nxt = toks[end + 2] if end + 2 < len(toks) else None
    if nxt is not None and nxt.kind == "s":
        return end, value, approx
    digits = str(int(frac.lo)).zfill(frac.width) if frac.digits else str(int(frac.lo))
    value = value + Decimal("0." + digits)
    stop = end + 2
    if nxt is not None and nxt.kind == "b" and value < 10**4:
        value *= nxt.lo
        stop += 1
    return stop, value, approx


def _numbers_in_run(run: str, offset: int) -> list[Number]:
    toks = _tokens(run, offset)
    found: list[Number] = []
    i = 0
    while i < len(toks):
        negative = toks[i].kind == "-"
        k = i + 1 if negative else i
        parsed = _parse(toks, k, upper=False) if k < len(toks) else None
        if parsed is None:
            i = k + 1
            continue
        end, lo, approx = parsed
        used = toks[k:end]
        hi = _parse(toks, k, upper=True)[1] if any(t.lo != t.hi for t in used) else lo
        if len(used) == 1 and used[0].few:  # 几 alone asks a question (几号, 几点)
            i = end
            continue
        if negative:
            lo, hi = -lo, -hi
        found.append(
            Number(
                start=toks[i].start,
                end=toks[end - 1].end,
                value=_clean(lo),
                value_max=_clean(hi) if hi != lo else None,
                approximate=approx,
                digit_string=len(used) == 1 and used[0].digits,
                has_unit=any(t.kind in "sb" for t in used) or any(t.arabic and t.width > 1 for t in used),
            )
        )
        i = end
    return found


_FOLD = {code: code - 0xFEE0 for code in range(0xFF01, 0xFF5F)}


def _fold(text: str) -> str:
    """Full-width digits and punctuation -> ASCII, keeping the length."""
    return text.translate(_FOLD)


def scan_numbers(text: str) -> list[Number]:
    """Every numeral in `text` with its span (offsets into `text`), left to right."""
    text = _fold(text)
    masked = _NOT_NUMBERS.sub(lambda m: "\x00" * len(m.group()), text)
    found: list[Number] = []
    for m in _RUN.finditer(masked):
        run = m.group()
        if len(run) == 1 and run in DIGIT_VALUES:  # the common case: a lone digit (一个, 三天)
            value = Decimal(DIGIT_VALUES[run])
            found.append(Number(m.start(), m.end(), value))
            continue
        found.extend(_numbers_in_run(run, m.start()))
    return found


def _clean(value: Decimal) -> Decimal:
    """12000 rather than 1.2E+4 or 12000.0."""
    return Decimal(int(value)) if value == value.to_integral() else value.normalize()


def find_numbers(text: str) -> list[tuple[int, int, Decimal]]:
    """(start, end, value) of every numeral in `text`; ranges give their lower bound."""
    return [(n.start, n.end, n.value) for n in scan_numbers(text)]


@lru_cache(maxsize=4096)
def parse_number(text: str) -> Decimal | None:
    """The value of `text` when the whole of it is one numeral (一万二 -> 12000), else None."""
    found = scan_numbers(text.strip())
    if len(found) == 1 and found[0].start == 0 and found[0].end == len(text.strip()):
        return found[0].value
    return None
