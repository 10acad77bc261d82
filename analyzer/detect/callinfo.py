"""When a call happened and with whom: from the user, a sidecar CSV, the phone recorder's file
name, the container's tags or the file's modification time, always saying which.

A file name we do not recognise gives "unknown", never a date read from digits that happen to be
there. Calls that start between 22:00 and 08:00 local time get a `prohibited_hours` flag; the
hours come from an industry guideline, not from a statute.
"""

from __future__ import annotations

import csv
import io
import re
from datetime import datetime
from pathlib import Path
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..errors import InputError
from ..types import CallInfo, Finding

DEFAULT_TIMEZONE = "Asia/Shanghai"
_PHONE = r"\+?[0-9][0-9 \-]{2,18}[0-9]"
_STAMP14 = r"(?P<Y>20[0-9]{2})(?P<M>[01][0-9])(?P<D>[0-3][0-9])(?P<h>[0-2][0-9])(?P<m>[0-5][0-9])(?P<s>[0-5][0-9])"
_DASHED = r"(?P<Y>20[0-9]{2})-(?P<M>[01][0-9])-(?P<D>[0-3][0-9])[ _](?P<h>[0-2][0-9])-(?P<m>[0-5][0-9])-(?P<s>[0-5][0-9])"

# (recorder, pattern over the file name without its extension). Named groups: Y/y2 M D h m s,
# num (the other party's number) and name (a contact name, not reported).
FILENAME_PATTERNS: tuple[tuple[str, re.Pattern], ...] = tuple(
    (recorder, re.compile(pattern))
    for recorder, pattern in (
        # Xiaomi MIUI / HyperOS: "通话录音 张三(13800138000)_20240105143022"
        ("miui", rf"^(?:通话录音[ _]?)?(?P<name>[^()（）]*?)[(（](?P<num>{_PHONE})[)）]_{_STAMP14}$"),
        # Cube ACR: "2024-01-05 14-30-22 (phone) 张三 (13800138000)"
        ("cube_acr", rf"^{_DASHED} \((?:phone|whatsapp|[a-z]+)\) (?P<name>.*?) ?\((?P<num>{_PHONE})\)$"),
        # number, date, dashed time: "13800138000 2024-01-05 14-30-22"
        ("number_dashed", rf"^(?P<num>{_PHONE}) {_DASHED}$"),
        # Samsung One UI: "Call recording 张三_240105_143022"
        ("samsung", (r"^Call recording (?P<name>.+?)_(?P<y2>[0-9]{2})(?P<M>[01][0-9])(?P<D>[0-3][0-9])"
                     r"_(?P<h>[0-2][0-9])(?P<m>[0-5][0-9])(?P<s>[0-5][0-9])$")),
        # Huawei EMUI / HarmonyOS: "张三@13800138000_20240105143022", "张三 13800138000_20240105143022",
        # "13800138000_20240105143022"
        ("huawei", rf"^(?:(?P<name>.+?)[@ ])?(?P<num>{_PHONE})_{_STAMP14}$"),
        # vivo OriginOS: "张三_13800138000_20240105143022" (layout as reported by users)
        ("vivo", rf"^(?P<name>[^_]+)_(?P<num>{_PHONE})_{_STAMP14}$"),
        # OPPO ColorOS / realme UI: "张三-2401051430" or "13800138000-2401051430" (no seconds)
        ("coloros", r"^(?P<name>.+?)-(?P<y2>[0-9]{2})(?P<M>[01][0-9])(?P<D>[0-3][0-9])(?P<h>[0-2][0-9])(?P<m>[0-5][0-9])$"),
        # LineageOS dialer: "13800138000_240105_143022"
        ("lineageos", (rf"^(?P<num>{_PHONE})_(?P<y2>[0-9]{{2}})(?P<M>[01][0-9])(?P<D>[0-3][0-9])"
                       r"_(?P<h>[0-2][0-9])(?P<m>[0-5][0-9])(?P<s>[0-5][0-9])$")),
    )
)
PROHIBITED_HOURS_BASIS = (
    ("中国银行业协会《个人消费类贷款催收工作指引》: 22:00-08:00 未经同意不得催收 "
     "(an industry guideline, not a statute)"),
)


def _zone(timezone: str) -> ZoneInfo:
    try:
        return ZoneInfo(timezone)
    except (ZoneInfoNotFoundError, ValueError) as exc:
        raise InputError(f"Unknown timezone '{timezone}'. Use an IANA name such as Asia/Shanghai.") from exc


def _clean_number(raw: str | None) -> str | None:
    if not raw:
        return None
    digits = re.sub(r"[ \-]", "", raw)
    return digits if len(digits.lstrip("+")) >= 3 else None


def call_info_from_filename(name: str, timezone: str = DEFAULT_TIMEZONE) -> CallInfo:
    """Start time and number from a phone recorder's file name; both None when the name is unknown."""
    stem = Path(name).stem.strip()
    zone = _zone(timezone)
    for _recorder, pattern in FILENAME_PATTERNS:
        m = pattern.match(stem)
        if m is None:
            continue
        g = m.groupdict()
        year = int(g["Y"]) if g.get("Y") else 2000 + int(g["y2"])
        try:
            start = datetime(year, int(g["M"]), int(g["D"]), int(g["h"]), int(g["m"]), int(g.get("s") or 0), tzinfo=zone)
        except ValueError:
            continue  # digits that are not a date: try the next layout, else unknown
        number = _clean_number(g.get("num"))
        if number is None and g.get("name") and re.fullmatch(_PHONE, g["name"]):
            number = _clean_number(g["name"])
        return CallInfo(
            start_time=start.isoformat(),
            start_time_source="filename",
            number=number,
            number_source="filename" if number else None,
            timezone=timezone,
        )
    return CallInfo(timezone=timezone)


def _parse_time(value: str, zone: ZoneInfo, what: str) -> str:
    """An ISO 8601 time (naive values are local to `zone`) -> ISO with offset."""
    text = value.strip().replace("Z", "+00:00")
    try:
        moment = datetime.fromisoformat(text)
    except ValueError as exc:
        raise InputError(f"{what}: '{value}' is not a date and time; use e.g. 2024-01-05T14:30:22") from exc
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone)
    return moment.astimezone(zone).isoformat()


def load_sidecar(csv_path: Path, timezone: str = DEFAULT_TIMEZONE) -> dict[str, CallInfo]:
    """calls.csv (columns file, start_time, number) -> CallInfo by file name."""
    zone = _zone(timezone)
    try:
        text = Path(csv_path).read_text(encoding="utf-8-sig")
    except (OSError, UnicodeDecodeError) as exc:
        raise InputError(f"Cannot read the call list {csv_path}: {exc}") from exc
    calls: dict[str, CallInfo] = {}
    reader = csv.DictReader(io.StringIO(text, newline=""))
    if reader.fieldnames is None or "file" not in reader.fieldnames:
        raise InputError(f"{csv_path}: line 1 must be the header 'file,start_time,number'")
    try:
        rows = [(reader.line_num, row) for row in reader]
    except csv.Error as exc:
        raise InputError(f"{csv_path}, line {reader.line_num}: {exc}") from exc
    for line, row in rows:
        name = (row.get("file") or "").strip()
        if not name:
            raise InputError(f"{csv_path}, line {line}: the 'file' column is empty")
        start = (row.get("start_time") or "").strip()
        number = _clean_number((row.get("number") or "").strip())
        calls[Path(name).name] = CallInfo(
            start_time=_parse_time(start, zone, f"{csv_path}, line {line}") if start else None,
            start_time_source="sidecar" if start else None,
            number=number,
            number_source="sidecar" if number else None,
            timezone=timezone,
        )
    return calls


def resolve_call_info(
    path: Path,
    *,
    tags: dict[str, str] | None = None,
    user_time: str | None = None,
    sidecar: dict | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> CallInfo:
    """The best start time and number for one recording, each with its source: --call-time,
    then calls.csv, then the file name, then the creation_time tag, then the file's mtime."""
    zone = _zone(timezone)
    path = Path(path)
    candidates: list[tuple[str | None, str | None, str | None, str | None]] = []
    if user_time:
        candidates.append((_parse_time(user_time, zone, "--call-time"), "user", None, None))
    row = (sidecar or {}).get(path.name)
    if row is not None:
        candidates.append((row.start_time, row.start_time_source, row.number, row.number_source))
    named = call_info_from_filename(path.name, timezone)
    candidates.append((named.start_time, named.start_time_source, named.number, named.number_source))
    created = (tags or {}).get("creation_time")
    if created:
        try:
            candidates.append((_parse_time(created, zone, "creation_time tag"), "tags", None, None))
        except InputError:
            pass  # a malformed tag is no evidence; fall through to the next source
    try:
        mtime = datetime.fromtimestamp(int(path.stat().st_mtime), zone).isoformat()
        candidates.append((mtime, "mtime", None, None))
    except OSError:
        pass
    start, start_source = next(((t, s) for t, s, _, _ in candidates if t), (None, None))
    number, number_source = next(((n, s) for _, _, n, s in candidates if n), (None, None))
    return CallInfo(start_time=start, start_time_source=start_source, number=number,
                    number_source=number_source, timezone=timezone)


def prohibited_hours_finding(call: CallInfo) -> Finding | None:
    """A flag for a call that started 22:00-08:00 local time; None when the time is unknown, or
    known only from the file's modification time (copying a file changes it: too weak to accuse)."""
    if not call.start_time or call.start_time_source == "mtime":
        return None
    try:
        moment = datetime.fromisoformat(call.start_time)
        zone = _zone(call.timezone)
    except (ValueError, InputError):
        return None
    local = moment.astimezone(zone) if moment.tzinfo else moment.replace(tzinfo=zone)
    if 8 <= local.hour < 22:
        return None
    return Finding(
        category="prohibited_hours",
        severity="medium",
        start=0,
        end=0,
        quote="",
        matched=f"call start {local:%H:%M}",
        rule_id="callinfo/prohibited_hours",
        basis=PROHIBITED_HOURS_BASIS,
        explanation=(
            f"The call started at {local:%H:%M} ({call.timezone}, from {call.start_time_source or 'unknown source'}); "
            "the industry guideline bars collection calls 22:00-08:00 without the debtor's consent. "
            "Possible violation, check the recording."
        ),
        t_start=0.0,
        t_end=0.0,
    )
