"""Across a folder: per other-party number and per day, how often they called, when, what was
flagged and which amounts they demanded (and whether those change from call to call).

`call_frequency` marks a day with more than `max_calls_per_day` connected calls from one number
(industry guidance allows 3; a guideline, not a statute). Calls whose number or start time is
unknown are grouped under "unknown" and never raise a frequency flag: we do not guess.
"""

from __future__ import annotations

import csv
import io
import sqlite3
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from pathlib import Path

from .types import CallRecord

UNKNOWN = "unknown"
DEFAULT_MAX_CALLS_PER_DAY = 3
PROHIBITED_HOURS = "prohibited_hours"
CSV_COLUMNS = (
    "number", "date", "calls", "connected_minutes", "prohibited_hours_calls", "call_frequency",
    "flags", "amounts", "amounts_changed", "files",
)  # fmt: skip


@dataclass(frozen=True)
class TimelineRow:
    number: str  # the other party's number, or "unknown"
    day: str  # local date YYYY-MM-DD of the call start, or "unknown"
    calls: int
    connected_minutes: float
    prohibited_hours_calls: int
    flags: dict[str, int]  # category -> number of flags that day
    amounts: tuple[str, ...]  # distinct amounts mentioned, in call order
    amounts_changed: bool  # a call's largest amount differs from this number's previous call with one
    call_frequency: bool  # calls > max_calls_per_day (known number and day only)
    files: tuple[str, ...]

    def as_dict(self) -> dict:
        return {
            "number": self.number, "date": self.day, "calls": self.calls,
            "connected_minutes": self.connected_minutes, "prohibited_hours_calls": self.prohibited_hours_calls,
            "call_frequency": self.call_frequency, "flags": dict(self.flags), "amounts": list(self.amounts),
            "amounts_changed": self.amounts_changed, "files": list(self.files),
        }  # fmt: skip


@dataclass(frozen=True)
class _Call:
    file: str
    number: str | None
    start_time: str | None
    duration_s: float
    categories: tuple[str, ...]
    amounts: tuple[Decimal, ...]


def _from_records(records: Iterable[CallRecord]) -> list[_Call]:
    return [
        _Call(
            file=r.source.path,
            number=r.call.number,
            start_time=r.call.start_time,
            duration_s=r.source.duration_s or 0.0,
            categories=tuple(f.category for f in r.findings),
            amounts=tuple(a.value for a in r.amounts),
        )
        for r in records
    ]


def _from_catalog(path: Path) -> list[_Call]:
    from .store import CATALOG_NAME

    path = Path(path)
    if path.is_dir():
        path = path / CATALOG_NAME
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        categories, amounts = defaultdict(list), defaultdict(list)
        for call_id, category in db.execute("SELECT call_id, category FROM findings ORDER BY call_id, idx"):
            categories[call_id].append(category)
        for call_id, value in db.execute("SELECT call_id, value FROM amounts ORDER BY call_id, idx"):
            amounts[call_id].append(Decimal(value))
        rows = db.execute(
            "SELECT id, (SELECT MIN(relative) FROM paths WHERE call_id = c.id), number, start_time, duration_s "
            "FROM calls c WHERE status = 'done'"
        ).fetchall()
    finally:
        db.close()
    return [
        _Call(
            file or "",
            number,
            start,
            duration or 0.0,
            tuple(categories[i]),
            tuple(amounts[i]),
        )
        for i, file, number, start, duration in rows
    ]


def _day(start_time: str | None) -> str:
    if not start_time:
        return UNKNOWN
    try:
        return datetime.fromisoformat(start_time).date().isoformat()  # the call's own (local) offset
    except ValueError:
        return UNKNOWN


def build_timeline(
    source: Path | str | Iterable[CallRecord],
    *,
    max_calls_per_day: int = DEFAULT_MAX_CALLS_PER_DAY,
) -> list[TimelineRow]:
    """Rows per (number, day), sorted, from a catalog (OUT or OUT/catalog.sqlite) or from records."""
    calls = _from_catalog(Path(source)) if isinstance(source, (str, Path)) else _from_records(source)
    calls.sort(key=lambda c: (c.number or UNKNOWN, c.start_time or "\uffff", c.file))
    changed: set[str] = set()  # files whose largest amount differs from the number's previous call
    previous: dict[str, Decimal] = {}
    for call in calls:
        if call.amounts and call.number:
            top = max(call.amounts)
            if call.number in previous and previous[call.number] != top:
                changed.add(call.file)
            previous[call.number] = top
    groups: dict[tuple[str, str], list[_Call]] = defaultdict(list)
    for call in calls:
        groups[(call.number or UNKNOWN, _day(call.start_time))].append(call)
    rows = []
    for (number, day), group in sorted(groups.items()):
        flags: dict[str, int] = defaultdict(int)
        for call in group:
            for category in call.categories:
                flags[category] += 1
        amounts = tuple(dict.fromkeys(str(a) for call in group for a in call.amounts))
        known = number != UNKNOWN and day != UNKNOWN
        rows.append(
            TimelineRow(
                number=number,
                day=day,
                calls=len(group),
                connected_minutes=round(sum(c.duration_s for c in group) / 60, 2),
                prohibited_hours_calls=sum(PROHIBITED_HOURS in c.categories for c in group),
                flags=dict(sorted(flags.items())),
                amounts=amounts,
                amounts_changed=any(c.file in changed for c in group),
                call_frequency=known and len(group) > max_calls_per_day,
                files=tuple(c.file for c in group),
            )
        )
    return rows


def _cells(row: TimelineRow) -> list[str]:
    return [
        row.number, row.day, str(row.calls), f"{row.connected_minutes:.2f}", str(row.prohibited_hours_calls),
        "yes" if row.call_frequency else "no", "; ".join(f"{k}={v}" for k, v in row.flags.items()),
        "; ".join(row.amounts), "yes" if row.amounts_changed else "no", "; ".join(row.files),
    ]  # fmt: skip


def timeline_csv(rows: Iterable[TimelineRow]) -> str:
    """CSV text with a UTF-8 BOM so that Excel opens the Chinese file names correctly."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    writer.writerows(_cells(r) for r in rows)
    return "\ufeff" + buffer.getvalue()


def format_table(rows: list[TimelineRow]) -> str:
    """The timeline as an aligned text table (for the `timeline` command)."""
    header = [
        "number",
        "date",
        "calls",
        "minutes",
        "night",
        "freq",
        "flags",
        "amounts",
        "changed",
    ]
    table = [header] + [_cells(r)[:6] + [_cells(r)[6] or "-", _cells(r)[7] or "-", _cells(r)[8]] for r in rows]
    return format_columns(table)


def format_columns(table: list[list[str]]) -> str:
    """Left-aligned columns; width counts CJK characters as two cells."""
    import unicodedata

    def width(text: str) -> int:
        return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)

    widths = [max(width(row[i]) for row in table) for i in range(len(table[0]))]
    return "\n".join(
        "  ".join(cell + " " * (w - width(cell)) for cell, w in zip(row, widths)).rstrip() for row in table
    )
