"""OUT/index.html: one row per call (sortable, filterable by category) linking to each report,
the files that failed, and what only shows across calls: calls per number per day, calls at
prohibited hours, amounts that change from call to call."""

from __future__ import annotations

from collections import defaultdict
from urllib.parse import quote

from ..types import CallRecord
from .html import category_cell, disclaimer_section, e, page, severity_badge
from .i18n import category_label, t
from .view import (
    SEVERITY_RANK,
    category_summary,
    format_amount,
    highest_severity,
    is_hours_flag,
    timecode,
)


def _call_row(record: CallRecord, report: str, lang: str) -> str:
    summary = category_summary(record.findings)
    cats = " ".join(r.category for r in summary if r.collector)
    chips = "".join(
        f'<span class="chip">{category_cell(r.category, lang)} ×{r.collector}</span>' for r in summary if r.collector
    )
    worst = highest_severity(record.findings)
    amounts = "<br>".join(e(format_amount(a.value, a.value_max, a.currency, a.approximate)) for a in record.amounts)
    total = sum(r.collector for r in summary)
    return (
        f'<tr data-cats="{e(cats)}"><td><a href="{e(quote(report))}">{e(record.source.path)}</a></td>'
        f'<td data-v="{e(record.call.start_time or "")}">{e(record.call.start_time or t(lang, "unknown"))}</td>'
        f'<td data-v="{e(record.call.number or "")}">{e(record.call.number or t(lang, "unknown"))}</td>'
        f'<td class="num" data-v="{record.source.duration_s:.3f}">{e(timecode(record.source.duration_s, tenths=False))}</td>'
        f'<td data-v="{total}"><div class="chips">{chips or "—"}</div></td>'
        f'<td data-v="{SEVERITY_RANK.get(worst or "", 0)}">{severity_badge(worst, lang)}</td>'
        f'<td data-v="{max((a.value for a in record.amounts), default=0)}">{amounts or "—"}</td></tr>'
    )


def _per_number(calls: list[tuple[CallRecord, str]], lang: str) -> str:
    by_number: dict[str, list[CallRecord]] = defaultdict(list)
    for record, _ in calls:
        if record.call.number:
            by_number[record.call.number].append(record)
    if not by_number:
        return ""
    rows = []
    for number in sorted(by_number):
        records = sorted(by_number[number], key=lambda r: (r.call.start_time or "", r.source.path))
        days = defaultdict(int)
        for r in records:
            days[(r.call.start_time or "")[:10] or "?"] += 1
        hours = sum(any(is_hours_flag(f) for f in r.findings) for r in records)
        amounts = [sorted({format_amount(a.value, a.value_max, a.currency, a.approximate) for a in r.amounts}) for r in records]
        seen = [a for a in amounts if a]
        changed = len({tuple(a) for a in seen}) > 1
        amount_text = " → ".join("/".join(a) for a in seen) or "—"
        if changed:
            amount_text += f" ({t(lang, 'amounts_changed')})"
        rows.append(
            f'<tr><td>{e(number)}</td><td class="num">{len(records)}</td><td class="num">{len(days)}</td>'
            f'<td class="num">{max(days.values())}</td><td class="num">{hours}</td><td>{e(amount_text)}</td></tr>'
        )
    return (
        f'<section class="card" id="per-number"><h2>{e(t(lang, "per_number"))}</h2>\n<table><thead><tr>'
        f'<th>{e(t(lang, "number"))}</th><th>{e(t(lang, "calls"))}</th><th>{e(t(lang, "days"))}</th>'
        f'<th>{e(t(lang, "max_per_day"))}</th><th>{e(t(lang, "hours_calls"))}</th><th>{e(t(lang, "amounts"))}</th>'
        "</tr></thead>\n<tbody>\n" + "\n".join(rows) + "\n</tbody></table></section>"
    )


def _failed(errors: list[dict], lang: str) -> str:
    if not errors:
        return ""
    rows = "\n".join(f"<tr><td>{e(err.get('path', ''))}</td><td>{e(err.get('error', ''))}</td></tr>" for err in errors)
    return (
        f'<section class="card" id="failed"><h2>{e(t(lang, "failed"))}</h2>\n<table><thead><tr>'
        f'<th>{e(t(lang, "file"))}</th><th>{e(t(lang, "error"))}</th></tr></thead>\n<tbody>\n{rows}\n</tbody></table></section>'
    )


def render_index(calls: list[tuple[CallRecord, str]], errors: list[dict], *, lang: str, generated_at: str) -> str:
    """`calls`: (record, its HTML report's path relative to OUT), in a stable order."""
    categories = sorted({f.category for record, _ in calls for f in record.findings})
    options = "".join(f'<option value="{e(c)}">{e(category_label(c, lang))}</option>' for c in categories)
    columns = ("file", "call_time", "number", "duration", "flags", "highest", "amounts")
    head = "".join(f'<th class="sortable">{e(t(lang, c))}</th>' for c in columns)
    if calls:
        table = (
            f'<div class="filters no-print"><label>{e(t(lang, "filter"))}: <select id="category-filter">'
            f'<option value="">{e(t(lang, "all"))}</option>{options}</select></label>'
            f'<span class="explain">{e(t(lang, "sort_hint"))}</span></div>\n'
            f'<table class="calls"><thead><tr>{head}</tr></thead>\n<tbody>\n'
            + "\n".join(_call_row(record, report, lang) for record, report in calls)
            + "\n</tbody></table>"
        )
    else:
        table = f'<p class="empty">{e(t(lang, "no_calls"))}</p>'
    body = (
        f'<main>\n<section class="card" id="calls"><h2>{e(t(lang, "calls"))} ({len(calls)})</h2>\n{table}</section>\n'
        f"{_per_number(calls, lang)}\n{_failed(errors, lang)}\n"
        f"{disclaimer_section(lang)}\n</main>"
    )
    return page(lang, t(lang, "index_title"), body, generated_at)
