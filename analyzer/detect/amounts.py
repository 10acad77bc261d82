"""Money amounts in spoken Chinese: 两万块钱, 三百六十五块五毛, 3万2, 八百多, 三四千.

An amount either carries a currency unit (元/块/毛/角, 人民币, ¥) or, because speakers drop the
unit, is a bare numeral in money context (还/欠/转/凑/一共/本金/利息 ... right before it) or in
the thousands (四千, 3万2: in a collection call that is money even when ASR loses the verb). Bare
numerals that count days, months, times or people (三天, 十号, 五点, 三个月) or that are codes
(尾号, phone numbers, percentages) are not amounts.
"""

from __future__ import annotations

import re
from dataclasses import replace
from decimal import Decimal

from ..normalize import NormalizedText
from ..numerals import Number, parse_number, scan_numbers
from ..types import Amount

_MAJOR = re.compile(r"\s*(块钱|元钱|块|元|圆|人民币|美元|美金|美圆|港币|港元|欧元|日元|英镑)(钱)?(人民币)?")
_MINOR = re.compile(r"\s*(毛|角)(钱)?")
_FEN = re.compile(r"\s*分(钱)?")
_CURRENCY = {"美元": "USD", "美金": "USD", "美圆": "USD", "港币": "HKD", "港元": "HKD",
             "欧元": "EUR", "日元": "JPY", "英镑": "GBP"}
_PREFIX = re.compile(r"(?:[¥￥]|人民币)\s*$")
# 块/元/毛 used as classifiers or inside other words: 一块儿, 三块地, 元旦, 毛衣.
_NOT_MAJOR_AFTER = re.compile(r"[儿去走来地肉表糖砖石布板田玉蛋饼旦宵素]")
_NOT_MINOR_AFTER = re.compile(r"[衣巾病笔毯线]")
_APPROX_AFTER = re.compile(r"\s*(?:多|余|来)(?=\s*(?:块|元|万|$|[，。！？,.!?\s]))")
_APPROX_WORDS_BEFORE = re.compile(r"(?:大概|大约|差不多|将近|约|至少|起码|最少|左右)\s*$")
_APPROX_WORDS_AFTER = re.compile(r"^\s*(?:左右|上下|出头|来块|多块)")
# Money context for unit-less numerals: a cue shortly before the number, in the same sentence.
_CUE_BEFORE = re.compile(
    r"(?:还|欠|转|凑|一共|总共|共计|合计|本金|利息|罚息|滞纳金|违约金|手续费|服务费|每期|月供|最低还款|"
    r"减免|结清|付|交|缴|打款|打给|借|贷|额度|金额|余额|欠款|还款|尾款|首付|只有|就有|才有|拿出|"
    r"剩下的?|剩余的?|其余的?|其他的?|剩的|差|赔|罚|工资|凑够|应还|本息|总额|给你|给我|先给|要)"
    r"[^。！？；;!?\n]{0,6}$"
)
_CUE_AFTER = re.compile(r"^[^。！？；;!?\n，,]{0,4}?(?:还清|还上|还完|欠款|本金|利息|罚息|到账|打过来|转过来|凑齐|凑够)")
# What a bare numeral counts when it is not money.
_COUNTS_AFTER = re.compile(
    r"^\s*(?:多|余|来|几)?\s*(?:周(?![一二三四五六日天末])|[天日号月年岁个次期点时分秒%％成折倍人位家条张笔遍趟声句页本台辆套栋层楼米斤克吨份项种样部通回批集名"
    r"户间只双对码路线:：/\-]|星期(?![一二三四五六日天])|礼拜(?![一二三四五六日天])|小时|钟|公里|万分|分之)"
)
_CODES_BEFORE = re.compile(r"(?:尾号|卡号|号码|手机号?|电话|第|百分之|千分之|周|星期|礼拜|编号|验证码|工号|密码|账号|身份证|排名|前|后|[:：/\-])\s*(?:是|为|:|：)?\s*$")
_NEGATED_ONE = re.compile(r"\s*(?:钱)?\s*(?:都|也)\s*(?:没|不)")
_MAGNITUDE_CHARS = "千万亿仟萬億"
_HAS_DIGIT = re.compile(r"[0-9零〇一二两三四五六七八九壹贰叁肆伍陆柒捌玖兩貳參陸几]")
_DATE_AFTER = re.compile(r"[月号日点时天周]|星期|礼拜|个月")
_RANGE_JOIN = re.compile(r"\s*(?:到|至|~|-|—)\s*")
_SENTENCE_END = re.compile(r"[。！？；;!?\n]")


def extract_amounts(norm: NormalizedText) -> list[Amount]:
    """Every money amount in `norm`, with spans into `norm.original`."""
    text = norm.text
    numbers = scan_numbers(text)
    amounts: list[Amount] = []
    i = last_end = 0
    while i < len(numbers):
        found, used = _amount_at(text, numbers, i, last_end)
        i += used
        if found is None:
            continue
        start, end, value, value_max, approximate, currency = found
        last_end = end
        o_start, o_end = norm.to_original(start, end)
        amounts.append(
            Amount(
                start=o_start,
                end=o_end,
                quote=norm.original[o_start:o_end],
                value=value,
                currency=currency,
                approximate=approximate,
                value_max=value_max,
            )
        )
    return amounts


def _amount_at(text: str, numbers: list[Number], i: int, floor: int):
    """The amount that starts with numbers[i] -> ((start, end, value, max, approx, currency), used)."""
    n = _release_trailing_digit(text, numbers[i])
    if n.value <= 0:
        return None, 1
    start, pos = n.start, n.end
    value, value_max = n.value, n.value_max
    approx = n.approximate
    used = 1
    # A range written out: 三到五千, 一千到一千五.
    rng = _RANGE_JOIN.match(text, pos)
    if rng and i + 1 < len(numbers) and numbers[i + 1].start == rng.end():
        upper = numbers[i + 1]
        low = _scale_like(n.value, upper.value)
        if low < upper.value:
            value, value_max, pos, used = low, upper.value_max or upper.value, upper.end, 2
            n = replace(n, end=upper.end, has_unit=upper.has_unit)
    m = _APPROX_AFTER.match(text, pos)
    if m:
        approx, pos = True, m.end()
    prefix = _PREFIX.search(text, max(floor, start - 5), start)
    if prefix:
        start = prefix.start()
    major = _MAJOR.match(text, pos)
    if major and (major.group(2) or not _NOT_MAJOR_AFTER.match(text, major.end(1))):
        currency = _CURRENCY.get(major.group(1), "CNY")
        if prefix and currency != "CNY":
            start = n.start
        if value == 1 and _NEGATED_ONE.match(text, major.end()):
            return None, used
        pos = major.end()
        if major.group(1) in "块元圆":
            value, pos, extra = _sub_units(text, numbers, i + used, pos, value)
            used += extra
        return (start, pos, value, value_max, approx or _approx_near(text, start, pos), currency), used
    minor = _MINOR.match(text, pos)
    if minor and (minor.group(2) or not (n.has_unit or _NOT_MINOR_AFTER.match(text, minor.end()))):
        if minor.group(1) == "角" and not minor.group(2) and not prefix:
            return None, used
        if value == 1 and _NEGATED_ONE.match(text, minor.end()):
            return None, used
        value = value / 10
        pos = minor.end()
        value, pos, extra = _fen(text, numbers, i + used, pos, value)
        return (start, pos, value, None, approx, "CNY"), used + extra
    if prefix:
        return (start, pos, value, value_max, approx, "CNY"), used
    if _bare_amount(text, n, pos):
        return (start, pos, value, value_max, approx or _approx_near(text, start, pos), "CNY"), used
    return None, used


def _release_trailing_digit(text: str, n: Number) -> Number:
    """六千五月三十号, 三千五点之前: a digit after 千/百/万 that starts a date or a clock time belongs
    to it, so the amount is 6000, not 6500."""
    if n.end - n.start < 3 or text[n.end - 2] not in _MAGNITUDE_CHARS or not _DATE_AFTER.match(text, n.end):
        return n
    value = parse_number(text[n.start:n.end - 1])
    return n if value is None else replace(n, end=n.end - 1, value=value, value_max=None)


def _scale_like(low: Decimal, high: Decimal) -> Decimal:
    """三到五千: the lower end borrows the magnitude of the upper one."""
    if low >= 10 or high < 10:
        return low
    magnitude = Decimal(10) ** (len(str(int(high))) - 1)
    return low * magnitude


def _sub_units(text, numbers, k, pos, value):
    """After 块/元: 十二块五 (= 12.5), 三百六十五块五毛, 50元6角三分."""
    if k >= len(numbers) or numbers[k].start != pos or numbers[k].has_unit or numbers[k].digit_string:
        return value, pos, 0
    nxt = numbers[k]
    minor = _MINOR.match(text, nxt.end)
    if minor:
        value, end, extra = _fen(text, numbers, k + 1, minor.end(), value + nxt.value / 10)
        return value, end, 1 + extra
    if _MAJOR.match(text, nxt.end):
        return value, pos, 0
    if _FEN.match(text, nxt.end):
        return value + nxt.value / 100, _FEN.match(text, nxt.end).end(), 1
    if _COUNTS_AFTER.match(text[nxt.end:nxt.end + 3]) or nxt.value >= 10:
        return value, pos, 0
    return value + nxt.value / 10, nxt.end, 1


def _fen(text, numbers, k, pos, value):
    """A trailing 分 (or a bare digit after 毛: 两毛五 = 0.25)."""
    if k >= len(numbers) or numbers[k].start != pos or numbers[k].has_unit or numbers[k].value >= 10:
        return value, pos, 0
    nxt = numbers[k]
    fen = _FEN.match(text, nxt.end)
    if fen:
        return value + nxt.value / 100, fen.end(), 1
    if _COUNTS_AFTER.match(text[nxt.end:nxt.end + 3]):
        return value, pos, 0
    return value + nxt.value / 100, nxt.end, 1


def _approx_near(text: str, start: int, end: int) -> bool:
    return bool(_APPROX_WORDS_BEFORE.search(text, max(0, start - 4), start) or _APPROX_WORDS_AFTER.match(text[end:end + 3]))


def _bare_amount(text: str, n: Number, pos: int) -> bool:
    """A unit-less numeral counts as money only in money context and when it counts nothing else."""
    if n.digit_string or (n.value < 10 and not n.has_unit) or not _HAS_DIGIT.search(text, n.start, n.end):
        return False
    if n.value != n.value.to_integral() and not n.has_unit:
        return False
    if n.value >= 10**7 and (not n.has_unit or text[n.start:n.end].isdigit()):
        return False  # phone and account numbers: money that large is said with 万 or written with commas
    after = text[pos:pos + 4]
    if _COUNTS_AFTER.match(after) or _CODES_BEFORE.search(text, max(0, n.start - 4), n.start):
        return False
    window = text[max(0, n.start - 12):n.start]
    cut = list(_SENTENCE_END.finditer(window))
    if cut:
        window = window[cut[-1].end():]
    if _CUE_BEFORE.search(window) or _CUE_AFTER.match(text[pos:pos + 10]):
        return True
    # Thousands said in a collection call are money even when the verb is lost (ASR: 还 -> 环).
    return n.value >= 1000 and any(c in _MAGNITUDE_CHARS for c in text[n.start:n.end])
