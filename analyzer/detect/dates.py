"""Dates, times, deadlines and durations in spoken Chinese, resolved against the call's start.

明天下午三点之前 -> a deadline at call date + 1, 15:00; 下个月十号 -> that date; 三天之内 -> call time
+ 3 days; 三个月 -> the duration P3M. Readings follow what a collector means: a bare 十号 or 五月三十号
is the next such date (the nearest one for past events), a bare 三点 is 15:00, 今晚十二点 is midnight
at the start of the next day. Without a call time, relative expressions are reported unresolved
(value None), never guessed.
"""

from __future__ import annotations

import calendar
import re
from bisect import bisect_left, bisect_right
from dataclasses import replace
from datetime import date, datetime, time, timedelta
from decimal import Decimal

from ..normalize import NormalizedText
from ..numerals import parse_number
from ..types import DateMention

_YEAR = r"[0-9]{4}|[零〇一二三四五六七八九]{4}|[0-9]{2}|[零〇一二三四五六七八九]{2}"
_MON = r"1[0-2]|0?[1-9]|十[一二]?|[一二三四五六七八九]"
_DAY = r"3[01]|[12][0-9]|0?[1-9]|三十一?|二十[一二三四五六七八九]?|十[一二三四五六七八九]?|[一二三四五六七八九]"
_HOUR = r"2[0-4]|1[0-9]|0?[0-9]|二十[一二三四]?|十[一二三四五六七八九]?|[零一二两三四五六七八九]"
_MIN = r"[0-5][0-9]|[0-9](?=\s*分)|[一二三四五]?十[一二三四五六七八九]?|零[一二三四五六七八九]|[一二三四五六七八九](?=\s*分)"
_REL = r"上上|上|这|本|(?<![剩留以往底接])下下|下"
_NO_NUM = r"(?![0-9十百千万点块元个])"

_DATE = (
    rf"(?P<ymd>(?P<y>{_YEAR})\s*年\s*(?P<y_m>{_MON})\s*月(?:\s*(?P<y_d>{_DAY})\s*(?:[号日]|{_NO_NUM}))?)"
    rf"|(?P<iso>(?P<i_y>[0-9]{{4}})[-/.](?P<i_m>[0-9]{{1,2}})[-/.](?P<i_d>[0-9]{{1,2}}))(?![0-9])"
    rf"|(?P<yonly>(?P<yo_y>[0-9]{{4}}|[零〇一二三四五六七八九]{{4}})\s*年)(?!\s*(?:{_MON})\s*月)"
    rf"|(?P<slash>(?<![0-9/])(?P<s_m>1[0-2]|0?[1-9])/(?P<s_d>3[01]|[12][0-9]|0?[1-9]))(?![0-9/])"
    rf"|(?P<relm>(?P<rm_p>{_REL})\s*个?\s*月份?的?(?:(?P<rm_d>{_DAY})\s*[号日]|月?(?P<rm_e>底|初|中|末))?)"
    rf"|(?P<rely>(?P<ry_p>今|明|去|前)年(?:(?P<ry_m>{_MON})\s*月份?(?:(?P<ry_d>{_DAY})\s*[号日])?|年?(?P<ry_e>底|初|末))?)"
    rf"|(?P<md>(?<![0-9零〇一二三四五六七八九十个])(?P<m_m>{_MON})\s*月份?(?:\s*(?P<m_d>{_DAY})\s*(?:[号日]|{_NO_NUM}))?)"
    r"|(?P<mend>(?<![个这本上下])月(?P<me_e>底|初|中|末))"
    r"|(?P<yend>(?<![今明去前0-9])年(?P<ye_e>底|初|末))"
    r"|(?P<rd>大后天|(?<![以之最然落])后天|明天|明日|明儿|今天|今日|今儿|当天|昨天|昨日|大前天|(?<![以之提])前天)"
    r"|(?P<rdp>今晚|今早|今晨|今夜|明早|明晚|明晨|昨晚|昨夜)"
    rf"|(?P<wd>(?:(?P<wd_p>{_REL})\s*个?\s*)?(?:周|星期|礼拜)(?P<wd_d>[一二三四五六日天末1-7]))"
    rf"|(?P<wk>(?P<wk_p>{_REL})\s*个?\s*(?:周|星期|礼拜)(?![一二三四五六日天末1-7]))"
    rf"|(?P<day>(?<![0-9零〇一二三四五六七八九十第])(?P<d_d>{_DAY})\s*[号日](?![码子线楼门房元]))"
)
_DAYPART = r"凌晨|清晨|早晨|早上|上午|中午|下午|傍晚|晚上|夜里|夜间|半夜|深夜"
_CLOCK = (
    rf"(?P<h>{_HOUR})\s*(?:点|时(?![候间]))(?:钟)?(?:(?P<half>半)|(?P<q1>一刻)|(?P<q3>三刻)"
    rf"|\s*(?P<mi>{_MIN})\s*分?(?:\s*(?P<se>[0-5]?[0-9])\s*秒)?)?(?:钟|整)?"
    r"|(?P<ch>[0-2]?[0-9])[:：](?P<cm>[0-5][0-9])(?:[:：](?P<cs>[0-5][0-9]))?(?:\s*(?P<ampm>[apAP]\.?\s*[mM]\.?))?"
)
_SUFFIX = (
    r"(?P<suf>\s*(?:或之前|及之前|或以前|及以前|之前|以前|前(?![后面边天年])|为止|之内|以内|内(?![容部]))"
    # ASR puts a comma at the pause: 星期三，之前必须还
    r"|[,，]\s*(?:之前|以前)(?=\s*(?:必须|一定|务必|要|得|请|还|付|转|交|给|把|结清))"
    r")?"
)
_FIRST_CHARS = "0-9零〇一二两三四五六七八九十上这本下今明去前后大当昨月年周星礼凌清早中傍晚夜半深"
_EXPR = re.compile(
    rf"(?=[{_FIRST_CHARS}])(?:(?:{_DATE})(?:的)?\s*(?P<dp>{_DAYPART})?\s*(?:{_CLOCK})?"
    rf"|(?P<dp2>{_DAYPART})\s*(?P<clk2>{_CLOCK.replace('?P<', '?P<x')})"
    rf"|(?<![0-9零一二两三四五六七八九十这那哪几有差第])(?P<clk3>{_CLOCK.replace('?P<', '?P<z')}))"
    + _SUFFIX
)
_DUR_UNIT = (
    r"个\s*半?\s*(?:月|星期|礼拜|小时|钟头)|半?\s*(?:小时|钟头|分钟|天|周(?![一二三四五六日天末])"
    r"|星期(?![一二三四五六日天])|礼拜(?![一二三四五六日天])|年(?!级|纪|龄)|秒|时(?![候间]))"
)
_DUR_PIECE = rf"(?:半|(?!0[0-9])[0-9]+(?:\.[0-9]+)?|[零一二两三四五六七八九十百]+)\s*(?:{_DUR_UNIT})半?"
_DURATION = re.compile(
    rf"(?=[0-9零一二两三四五六七八九十百半])(?<![每第几0-9零〇一二两三四五六七八九十百千万.])(?P<dur>{_DUR_PIECE}(?:\s*(?:又|零|多|余)?\s*{_DUR_PIECE})*)"
    r"(?P<dsuf>之内|以内|内(?![容部])|之后|以后|后(?![面边来])|之前|以前|前(?![后面边]))?"
)
_DUR_PARTS = re.compile(rf"(?P<n>半|[0-9]+(?:\.[0-9]+)?|[零一二两三四五六七八九十百]+)\s*(?P<u>{_DUR_UNIT})(?P<h>半)?")
_DEADLINE_BEFORE = re.compile(r"(?:最晚|最迟|截止|截至|不晚于|期限|到期日|还款日|最后的日期|最后日期|最后一天)(?:是|为|到|在|于|:|：|\s)*$")
_RECURRING = re.compile(r"每\s*(?:个\s*)?(?:月|周|星期|礼拜|年|天|日)?\s*的?\s*$")
_NOT_DURATION = re.compile(r"三天两头|一天到晚|一天天")
_SENTENCE_END = re.compile(r"[。！？；;!?\n]")
_WEEKDAYS = {"一": 0, "二": 1, "三": 2, "四": 3, "五": 4, "六": 5, "日": 6, "天": 6, "末": 5,
             "1": 0, "2": 1, "3": 2, "4": 3, "5": 4, "6": 5, "7": 6}
_SHIFT = {"上上": -2, "上": -1, "这": 0, "本": 0, "下": 1, "下下": 2, None: 0}
_REL_DAYS = {"大前天": -3, "前天": -2, "昨天": -1, "昨日": -1, "今天": 0, "今日": 0, "今儿": 0, "当天": 0,
             "明天": 1, "明日": 1, "明儿": 1, "后天": 2, "大后天": 3}
_FUSED = {"今晚": (0, "晚上"), "今夜": (0, "晚上"), "今早": (0, "早上"), "今晨": (0, "早上"),
          "明早": (1, "早上"), "明晨": (1, "早上"), "明晚": (1, "晚上"), "昨晚": (-1, "晚上"), "昨夜": (-1, "晚上")}
_YEAR_SHIFT = {"前": -2, "去": -1, "今": 0, "明": 1}
_PM = ("下午", "傍晚", "晚上", "夜里", "夜间", "半夜", "深夜")
_DUR_CODES = {"年": "Y", "月": "M", "星期": "W", "礼拜": "W", "周": "W", "天": "D", "小时": "H", "钟头": "H", "时": "H",
              "分钟": "m", "秒": "S"}
_DEADLINE_SUFFIX = ("之前", "以前", "前", "或之前", "及之前", "或以前", "及以前", "为止", "之内", "以内", "内")
_WITHIN = ("之内", "以内", "内", "为止", "或之前", "及之前", "或以前", "及以前")


def _num(text: str | None) -> int | None:
    if not text:
        return None
    value = parse_number(text.strip())
    return int(value) if value is not None else None


def extract_dates(norm: NormalizedText, call_time: datetime | None) -> list[DateMention]:
    """Every date, time, deadline and duration in `norm`; spans point into `norm.original`."""
    text = norm.text
    found: list[tuple[int, int, tuple]] = []
    month_context: tuple[int, int] | None = None
    date_context: tuple[date, int] | None = None  # (date, index of the sentence it was said in)
    sentence_ends = [m.end() for m in _SENTENCE_END.finditer(text)]
    durations = [m for m in _DURATION.finditer(text) if not _NOT_DURATION.match(text, m.start())]
    duration_starts = [d.start() for d in durations]
    for m in _EXPR.finditer(text):
        if not _plausible(m, text) or _covered(m.start(), m.end(), durations, duration_starts, longer=True):
            continue
        if _RECURRING.search(text, max(0, m.start() - 6), m.start()):
            continue  # 每个月的五号, 每周五: a schedule, not a date
        sentence = bisect_right(sentence_ends, m.start())
        resolved = _resolve(m, text, call_time, month_context, date_context, sentence)
        if resolved is None:
            continue
        kind, value, value_end, month_ctx, day = resolved
        month_context = month_ctx or month_context
        if day is not None:
            date_context = (day, sentence)
        found.append((m.start(), m.end(), (kind, value, value_end)))
    date_spans = [_Span(s, e) for s, e, _ in found]
    date_starts = [s for s, _, _ in found]
    for m in durations:
        if _covered(m.start(), m.end(), date_spans, date_starts, longer=False):
            continue
        mention = _duration(m, call_time)
        if mention is not None:
            found.append((m.start(), m.end(), mention))
    found.sort()
    mentions = [_mention(norm, s, e, *v) for s, e, v in found]
    return _join_ranges(norm, mentions)


class _Span:
    """A (start, end) with the accessors of a match, for `_covered`."""

    def __init__(self, start: int, end: int):
        self._start, self._end = start, end

    def start(self) -> int:
        return self._start

    def end(self) -> int:
        return self._end


def _covered(start: int, end: int, spans: list, starts: list[int], *, longer: bool) -> bool:
    """Whether a span in `spans` (sorted, non-overlapping) overlaps [start, end) -- and, with
    `longer`, is longer than it. Bisection keeps this linear over a long text."""
    j = bisect_left(starts, end) - 1
    while j >= 0 and spans[j].end() > start:
        if not longer or spans[j].end() - spans[j].start() > end - start:
            return True
        j -= 1
    return False


def _plausible(m: re.Match, text: str) -> bool:
    """Bare clock times need more than a number and 点: 快一点, 有两点 are not times."""
    if m.group("clk3") is None:
        return True
    hour = _num(m.group("zh")) if m.group("zh") else _num(m.group("zch"))
    has_minutes = m.group("zch") or m.group("zmi") or m.group("zhalf") or m.group("zq1") or m.group("zq3")
    if hour is None or hour > 24:
        return False
    following = text[m.end("clk3"):m.end("clk3") + 2]
    return hour != 1 or bool(has_minutes or m.group("suf") or following.startswith(("钟", "整")))


def _mention(norm, start, end, kind, value, value_end):
    o_start, o_end = norm.to_original(start, end)
    resolved = value is not None
    return DateMention(
        start=o_start, end=o_end, quote=norm.original[o_start:o_end], kind=kind,
        value=value, resolved=resolved, value_end=value_end,
    )


def _resolve(m, text, ref, month_context, date_context, sentence):
    """-> (kind, value, value_end, month context it sets, date it names) or None when impossible."""
    g = m.group
    today = ref.date() if ref is not None else None
    suffix = (g("suf") or "").strip(" ,，")
    deadline = suffix in _DEADLINE_SUFFIX or bool(
        _DEADLINE_BEFORE.search(text, max(0, m.start() - 10), m.start())
    )
    within = suffix in _WITHIN
    span: tuple[date, date] | None = None  # a range the expression names
    day: date | None = None
    absolute = False
    daypart = g("dp") or g("dp2")
    month_ctx = None
    try:
        if g("ymd"):
            year = _year(g("y"))
            month = _num(g("y_m"))
            absolute = True
            if g("y_d"):
                day = date(year, month, _num(g("y_d")))
            else:
                span = _month_span(year, month)
            month_ctx = (year, month)
        elif g("iso"):
            day = date(int(g("i_y")), int(g("i_m")), int(g("i_d")))
            absolute = True
        elif g("yonly"):
            year = _year(g("yo_y"))
            span = (date(year, 1, 1), date(year, 12, 31))
            absolute = True
        elif today is None:
            day = None
        elif g("slash"):
            day = _nearest_month_day(today, int(g("s_m")), int(g("s_d")), deadline)
        elif g("relm"):
            first = _add_months(today.replace(day=1), _SHIFT[g("rm_p")])
            month_ctx = (first.year, first.month)
            if g("rm_d"):
                day = first.replace(day=_num(g("rm_d")))
            elif g("rm_e"):
                day = _month_part(first, g("rm_e"))
            else:
                span = _month_span(first.year, first.month)
        elif g("rely"):
            year = today.year + _YEAR_SHIFT[g("ry_p")]
            if g("ry_m"):
                month = _num(g("ry_m"))
                month_ctx = (year, month)
                day = date(year, month, _num(g("ry_d"))) if g("ry_d") else None
                span = None if day else _month_span(year, month)
            elif g("ry_e"):
                day = date(year, 12, 31) if g("ry_e") in "底末" else date(year, 1, 1)
            else:
                span = (date(year, 1, 1), date(year, 12, 31))
        elif g("md"):
            month = _num(g("m_m"))
            if g("m_d"):
                day = _nearest_month_day(today, month, _num(g("m_d")), deadline)
                month_ctx = (day.year, day.month)
            else:
                year = _nearest_month_year(today, month, deadline)
                span = _month_span(year, month)
                month_ctx = (year, month)
        elif g("mend"):
            day = _month_part(today.replace(day=1), g("me_e"))
        elif g("yend"):
            day = date(today.year, 12, 31) if g("ye_e") in "底末" else date(today.year, 1, 1)
        elif g("rd"):
            day = today + timedelta(days=_REL_DAYS[g("rd")])
        elif g("rdp"):
            shift, daypart = _FUSED[g("rdp")]
            day = today + timedelta(days=shift)
        elif g("wd"):
            weekday = _WEEKDAYS[g("wd_d")]
            monday = today - timedelta(days=today.weekday())
            if g("wd_p") is None:  # the coming one; for a deadline, not today
                ahead = (weekday - today.weekday()) % 7
                day = today + timedelta(days=ahead or (7 if deadline else 0))
            else:
                day = monday + timedelta(weeks=_SHIFT[g("wd_p")], days=weekday)
            if g("wd_d") == "末":
                span = (day, day + timedelta(days=1))
                day = None
        elif g("wk"):
            monday = today - timedelta(days=today.weekday()) + timedelta(weeks=_SHIFT[g("wk_p")])
            span = (monday, monday + timedelta(days=6))
        elif g("day"):
            dom = _num(g("d_d"))
            if month_context is not None:
                day = date(month_context[0], month_context[1], dom)
            else:
                day = _next_day_of_month(today, dom)
        elif date_context is not None and date_context[1] == sentence:
            day = date_context[0]  # 明天……下午三点之前: a clock time in the same sentence as a date
        else:
            day = today
    except (ValueError, TypeError):
        return None
    clock = _clock(m, daypart)
    if span is not None and clock is None:
        if today is None and not absolute:
            return "range", None, None, month_ctx, None
        if deadline:
            return "deadline", (span[1] if within else span[0]).isoformat(), None, month_ctx, None
        return "range", span[0].isoformat(), span[1].isoformat(), month_ctx, None
    if day is None or (today is None and not absolute):
        return ("deadline" if deadline else "point"), None, None, month_ctx, None
    kind = "deadline" if deadline else "point"
    if clock is None:
        return kind, day.isoformat(), None, month_ctx, day
    extra_day, clock_time = clock
    moment = datetime.combine(day + timedelta(days=extra_day), clock_time)
    if ref is not None:
        moment = moment.replace(tzinfo=ref.tzinfo)
    return kind, moment.isoformat(), None, month_ctx, day


def _clock(m: re.Match, daypart: str | None) -> tuple[int, time] | None:
    """(days to add, time of day) of the clock part, read with its part of the day."""
    for p in ("", "x", "z"):
        hour_text, colon_hour = m.group(p + "h"), m.group(p + "ch")
        if hour_text is None and colon_hour is None:
            continue
        if colon_hour is not None:
            hour, minute, second = int(colon_hour), int(m.group(p + "cm")), int(m.group(p + "cs") or 0)
            ampm = (m.group(p + "ampm") or "").lower()
            if ampm.startswith("p") and hour < 12:
                hour += 12
        else:
            hour = _num(hour_text)
            minute = 30 if m.group(p + "half") else 15 if m.group(p + "q1") else 45 if m.group(p + "q3") else (
                _num(m.group(p + "mi")) or 0)
            second = int(m.group(p + "se") or 0)
            ampm = ""
        if hour is None or hour > 24 or minute > 59:
            return None
        if daypart in _PM:
            if hour == 12 and daypart != "下午":
                return 1, time(0, minute, second)  # 今晚十二点: midnight, the next day
            hour += 12 if hour < 12 else 0
        elif daypart == "中午" and hour < 6:
            hour += 12
        elif daypart == "凌晨" and hour == 12:
            hour = 0
        elif daypart is None and not ampm and colon_hour is None and 1 <= hour <= 6:
            hour += 12  # a bare 三点 in a collection call means the afternoon
        if hour == 24:
            return 1, time(0, minute, second)
        return 0, time(hour, minute, second)
    return None


def _year(text: str) -> int:
    if text.isdigit():
        year = int(text)
    else:
        year = int("".join(str(parse_number(c)) for c in text))
    return year + 2000 if year < 100 else year


def _month_span(year: int, month: int) -> tuple[date, date]:
    return date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])


def _month_part(first: date, part: str) -> date:
    if part in "底末":
        return _month_span(first.year, first.month)[1]
    return first.replace(day=15) if part == "中" else first


def _add_months(first: date, months: int) -> date:
    index = first.year * 12 + first.month - 1 + months
    return date(index // 12, index % 12 + 1, 1)


def _next_day_of_month(today: date, dom: int) -> date:
    """十号: this month's if it is still to come, else next month's."""
    first = today.replace(day=1)
    for shift in range(3):
        month = _add_months(first, shift)
        if dom <= calendar.monthrange(month.year, month.month)[1]:
            candidate = month.replace(day=dom)
            if candidate >= today:
                return candidate
    raise ValueError(dom)


def _nearest_month_day(today: date, month: int, dom: int, future: bool) -> date:
    """五月三十号: the next one for a deadline, the nearest one otherwise (leap days included)."""
    candidates = []
    for year in range(today.year - 4, today.year + 5):
        try:
            candidates.append(date(year, month, dom))
        except ValueError:
            continue
    if not candidates:
        raise ValueError((month, dom))
    if future:
        upcoming = [c for c in candidates if c >= today]
        return min(upcoming)
    return min(candidates, key=lambda c: (abs((c - today).days), c < today))


def _nearest_month_year(today: date, month: int, future: bool) -> int:
    if future or month >= today.month:
        return today.year if month >= today.month else today.year + 1
    back, ahead = today.month - month, month + 12 - today.month
    return today.year if back <= ahead else today.year + 1


def _duration(m: re.Match, ref: datetime | None):
    """三个月 -> P3M; 三天之内 -> the deadline call time + 3 days; 五天前 -> that date."""
    parts: dict[str, Decimal] = {}
    for piece in _DUR_PARTS.finditer(m.group("dur")):
        unit_text = piece.group("u").replace("个", "").replace("半", "").strip()
        amount = Decimal("0.5") if piece.group("n") == "半" else parse_number(piece.group("n"))
        if amount is None:
            return None
        if "半" in piece.group("u") or piece.group("h"):
            amount += Decimal("0.5")
        code = _DUR_CODES[unit_text]
        if code == "Y" and amount >= 100:
            return None  # 2024年 is a year, not a duration
        parts[code] = parts.get(code, Decimal(0)) + amount
    iso = _iso_duration(parts)
    suffix = m.group("dsuf")
    if not suffix:
        return "duration", iso, None
    if ref is None:
        return ("deadline" if suffix in _WITHIN else "point"), None, None
    sign = -1 if suffix in ("之前", "以前", "前") else 1
    moment = _shift(ref, parts, sign)
    fine = any(code in parts for code in "HmS")
    value = moment.isoformat() if fine else moment.date().isoformat()
    return ("deadline" if suffix in _WITHIN else "point"), value, None


def _iso_duration(parts: dict[str, Decimal]) -> str:
    def fmt(v: Decimal) -> str:
        return str(v.normalize()) if v != v.to_integral() else str(int(v))

    day_part = "".join(f"{fmt(parts[c])}{c}" for c in "YMWD" if c in parts)
    time_part = "".join(f"{fmt(parts[c])}{c.upper()}" for c in "HmS" if c in parts)
    return "P" + day_part + ("T" + time_part if time_part else "")


def _shift(ref: datetime, parts: dict[str, Decimal], sign: int) -> datetime:
    moment = ref
    months = parts.get("Y", Decimal(0)) * 12 + parts.get("M", Decimal(0))
    whole = int(months)
    if whole:
        index = moment.year * 12 + moment.month - 1 + sign * whole
        year, month = index // 12, index % 12 + 1
        moment = moment.replace(year=year, month=month, day=min(moment.day, calendar.monthrange(year, month)[1]))
    days = (months - whole) * 30 + parts.get("W", Decimal(0)) * 7 + parts.get("D", Decimal(0))
    seconds = parts.get("H", Decimal(0)) * 3600 + parts.get("m", Decimal(0)) * 60 + parts.get("S", Decimal(0))
    return moment + sign * timedelta(days=float(days), seconds=float(seconds))


def duration_seconds(iso: str) -> float:
    """Seconds in an ISO 8601 duration, counting a year as 365 days and a month as 30."""
    m = re.fullmatch(r"P(?:([\d.]+)Y)?(?:([\d.]+)M)?(?:([\d.]+)W)?(?:([\d.]+)D)?(?:T(?:([\d.]+)H)?(?:([\d.]+)M)?(?:([\d.]+)S)?)?", iso)
    if m is None:
        raise ValueError(iso)
    scale = (365 * 86400, 30 * 86400, 7 * 86400, 86400, 3600, 60, 1)
    return sum(float(v) * s for v, s in zip(m.groups(), scale) if v)


def _after(first: DateMention, second: DateMention) -> DateMention:
    """The end of a range comes after its start: 晚上七点到九点 (21:00), 周五到周一 (the Monday after)."""
    if first.value is None or second.value is None:
        return second
    if "T" not in first.value and "T" not in second.value and second.value < first.value:
        end = date.fromisoformat(second.value)  # 周五到周一, 二十号到五号: the end follows the start
        if re.search("周|星期|礼拜", second.quote):
            return replace(second, value=(end + timedelta(days=7)).isoformat())
        if re.search("[号日]$", second.quote):
            following = _add_months(end.replace(day=1), 1)
            return replace(second, value=following.replace(day=min(end.day, calendar.monthrange(following.year, following.month)[1])).isoformat())
        return second
    if "T" not in first.value or "T" not in second.value:
        return second
    start, end = datetime.fromisoformat(first.value), datetime.fromisoformat(second.value)
    if end <= start and end.hour < 12 and end + timedelta(hours=12) > start and end.date() == start.date():
        return replace(second, value=(end + timedelta(hours=12)).isoformat())
    return second


def _join_ranges(norm: NormalizedText, mentions: list[DateMention]) -> list[DateMention]:
    """三号到五号, 下午两点到四点: two points joined by 到/至/- become one range."""
    joined: list[DateMention] = []
    for mention in mentions:
        if joined:
            prev = joined[-1]
            between = norm.original[prev.end:mention.start]
            if (
                prev.kind == "point" and mention.kind in ("point", "deadline")
                and re.fullmatch(r"\s*(?:到|至|-|~|—|－)\s*", between)
            ):
                quote = norm.original[prev.start:mention.end]
                mention = _after(prev, mention)
                kind = "deadline" if mention.kind == "deadline" else "range"
                value = mention.value if kind == "deadline" else prev.value
                joined[-1] = DateMention(
                    start=prev.start, end=mention.end, quote=quote, kind=kind, value=value,
                    resolved=prev.resolved and mention.resolved,
                    value_end=None if kind == "deadline" else mention.value,
                )
                continue
        joined.append(mention)
    return joined
