"""The per-call HTML report: one self-contained file (inline CSS/JS, strict CSP, no requests)
that a reviewer can read, print, and use to hear each flagged second of the original recording."""

from __future__ import annotations

import os
from html import escape
from pathlib import Path
from urllib.parse import quote

from ..types import CallRecord, Finding
from .i18n import category_label, category_name, date_kind, severity_name, t
from .view import (
    SEVERITY_RANK,
    category_summary,
    doubt_reasons,
    format_amount,
    human_size,
    is_borrower_side,
    is_hours_flag,
    marks_by_segment,
    settings_text,
    sorted_findings,
    speaker_label,
    speakers_text,
    split_spans,
    timecode,
)

TEMPLATES = Path(__file__).resolve().parent / "templates"
CSP = (
    "default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'; "
    "media-src 'self' data: blob: file:; img-src data:; base-uri 'none'; form-action 'none'"
)
GENERATED_CLASS = "generated"  # the one line that differs between two renderings of the same JSON


def e(value) -> str:
    """Escape for HTML text and double-quoted attributes alike."""
    return escape(str(value), quote=True)


def page(lang: str, title: str, body: str, generated_at: str) -> str:
    """The shared shell: CSP, inline CSS and JS; `generated_at` sits alone on one line."""
    css = (TEMPLATES / "report.css").read_text(encoding="utf-8")
    js = (TEMPLATES / "report.js").read_text(encoding="utf-8")
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{"zh-CN" if lang == "zh" else "en"}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{e(CSP)}">\n'
        '<meta name="referrer" content="no-referrer">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{e(title)}</title>\n<style>\n{css}</style>\n</head>\n<body>\n"
        f'<header class="top"><div class="inner">{body_title(title)}\n'
        f'<p class="{GENERATED_CLASS}">{e(t(lang, "generated_at"))}: {e(generated_at)}</p>\n</div></header>\n'
        f"{body}\n<script>\n{js}</script>\n</body>\n</html>\n"
    )


def body_title(title: str) -> str:
    head, _, rest = title.partition(" · ")
    return f'<h1>{e(head)}<span class="file">{e(rest)}</span></h1>' if rest else f"<h1>{e(head)}</h1>"


def audio_href(report_path: Path, audio_path: Path) -> str:
    """URL of the original recording relative to the report's folder (works when opened from disk)."""
    try:
        relative = os.path.relpath(Path(audio_path).resolve(), Path(report_path).resolve().parent)
    except ValueError:  # another drive on Windows: no relative path exists
        return Path(audio_path).resolve().as_uri()
    return quote(Path(relative).as_posix())


def severity_badge(severity: str | None, lang: str) -> str:
    return f'<span class="sev sev-{e(severity or "none")}">{e(severity_name(severity, lang))}</span>'


def category_cell(category: str, lang: str) -> str:
    """Name (when the lexicon knows it) and id: '辱骂 insult'."""
    name = category_name(category, lang)
    named = f"{e(name)} " if name != category else ""
    return f'<span class="cat">{named}<span class="id">{e(category)}</span></span>'


def time_button(seconds: float | None, lang: str) -> str:
    if seconds is None:
        return '<span class="tc">—</span>'
    return (
        f'<button type="button" class="tc" data-t="{seconds:.3f}" title="{e(t(lang, "play"))}">'
        f'<span class="icon">▶</span>{e(timecode(seconds))}</button>'
    )


def _meta_value(value, source, lang: str) -> str:
    if not value:
        return e(t(lang, "unknown"))
    return f"{e(value)} <span class=\"explain\">({e(t(lang, 'from_source'))}: {e(source or t(lang, 'unknown'))})</span>"


def source_section(record: CallRecord, lang: str) -> str:
    src, model, lex = record.source, record.transcript.model, record.lexicon
    rows = [
        ("file", e(src.path)),
        ("size", f"{e(human_size(src.size))} ({src.size:,} {e(t(lang, 'bytes'))})"),
        ("sha256", f'<span class="hash">{e(src.sha256)}</span>'),
        ("duration", f"{e(timecode(src.duration_s))} ({src.duration_s:.3f} s)"),
        ("format", e(f"{src.format}, {src.sample_rate} Hz, {src.channels} ch")),
        ("call_time", _meta_value(record.call.start_time, record.call.start_time_source, lang)),
        ("number", _meta_value(record.call.number, record.call.number_source, lang)),
        ("analysed_at", e(record.analysed_at or t(lang, "unknown"))),
        ("tool", e(f"call-analyzer {record.tool_version}")),
        ("model", f'{e(model.name)} ({e(model.compute_type)}, {e(model.device)})<br><span class="hash">SHA-256 {e(model.sha256 or t(lang, "unknown"))}</span>'),
        ("lexicon", f'{e(lex.version)}<br><span class="hash">SHA-256 {e(lex.sha256)}</span>' if lex else e(t(lang, "unknown"))),
        ("speaker_roles", e(speakers_text(record.speakers, lang) or t(lang, "unknown"))),
        ("settings", f'<span class="mono">{e(settings_text(record.transcript.settings))}</span>'),
        ("timings", e(", ".join(f"{k} {v}" for k, v in record.timings.items()) or t(lang, "unknown"))),
    ]
    items = "\n".join(f"<dt>{e(t(lang, key))}</dt><dd>{value}</dd>" for key, value in rows)
    return f'<section class="card" id="source"><h2>{e(t(lang, "source"))}</h2>\n<dl class="meta">\n{items}\n</dl></section>'


def summary_section(record: CallRecord, lang: str) -> str:
    rows = category_summary(record.findings)
    if rows:
        body = "\n".join(
            f"<tr><td>{category_cell(r.category, lang)}</td><td>{severity_badge(r.severity, lang)}</td>"
            f'<td class="num">{r.collector}</td><td class="num">{r.borrower}</td></tr>'
            for r in rows
        )
        table = (
            f'<table><thead><tr><th>{e(t(lang, "category"))}</th><th>{e(t(lang, "severity"))}</th>'
            f'<th>{e(t(lang, "collector_flags"))}</th><th>{e(t(lang, "borrower_flags"))}</th></tr></thead>\n'
            f"<tbody>\n{body}\n</tbody></table>"
        )
    else:
        table = f'<p class="empty">{e(t(lang, "no_flags"))}</p>'
    return (
        f'<section class="card" id="summary"><h2>{e(t(lang, "summary"))}</h2>\n{table}\n'
        f"{amounts_table(record, lang)}\n{dates_table(record, lang)}</section>"
    )


def amounts_table(record: CallRecord, lang: str) -> str:
    head = f'<h3>{e(t(lang, "amounts"))}</h3>'
    if not record.amounts:
        return f'{head}<p class="empty">{e(t(lang, "no_amounts"))}</p>'
    rows = "\n".join(
        f'<tr id="amount-{n}"><td>{time_button(a.t_start, lang)}</td>'
        f"<td>{e(format_amount(a.value, a.value_max, a.currency, a.approximate))}</td>"
        f'<td class="quote">{e(a.quote)}</td></tr>'
        for n, a in enumerate(record.amounts, 1)
    )
    return (
        f'{head}<table><thead><tr><th>{e(t(lang, "time"))}</th><th>{e(t(lang, "value"))}</th>'
        f'<th>{e(t(lang, "quote"))}</th></tr></thead>\n<tbody>\n{rows}\n</tbody></table>'
    )


def dates_table(record: CallRecord, lang: str) -> str:
    head = f'<h3>{e(t(lang, "dates"))}</h3>'
    if not record.dates:
        return f'{head}<p class="empty">{e(t(lang, "no_dates"))}</p>'
    rows = []
    for n, d in enumerate(record.dates, 1):
        value = d.value or t(lang, "unresolved")
        if d.value_end:
            value += f" – {d.value_end}"
        kind = date_kind(d.kind, lang)
        rows.append(
            f'<tr id="date-{n}"><td>{time_button(d.t_start, lang)}</td><td>{e(kind)}</td>'
            f'<td>{e(value)}</td><td class="quote">{e(d.quote)}</td></tr>'
        )
    return (
        f'{head}<table><thead><tr><th>{e(t(lang, "time"))}</th><th>{e(t(lang, "kind"))}</th>'
        f'<th>{e(t(lang, "value"))}</th><th>{e(t(lang, "quote"))}</th></tr></thead>\n'
        f"<tbody>\n" + "\n".join(rows) + "\n</tbody></table>"
    )


def flag_row(number: int, finding: Finding, lang: str) -> str:
    basis = "".join(f"<li>{e(line)}</li>" for line in finding.basis)
    note = f'<div class="notice">{e(t(lang, "hours_note"))}</div>' if is_hours_flag(finding) else ""
    explain = f'<div class="explain">{e(finding.explanation)}</div>' if finding.explanation else ""
    side = ' class="borrower-side"' if is_borrower_side(finding) else ""
    return (
        f'<tr id="flag-{number}"{side} data-category="{e(finding.category)}"><td class="num">F{number}</td>'
        f"<td>{time_button(finding.t_start, lang)}</td>"
        f'<td><span class="quote">{e(finding.quote)}</span>{explain}'
        f'<div class="explain">{e(t(lang, "speaker"))}: {e(finding.speaker)} · {e(t(lang, "rule"))}: '
        f'<span class="mono">{e(finding.rule_id)}</span></div></td>'
        f"<td>{category_cell(finding.category, lang)}</td><td>{severity_badge(finding.severity, lang)}</td>"
        f'<td><ul class="basis">{basis}</ul>{note}</td><td class="num">{finding.confidence:.2f}</td></tr>'
    )


def flags_section(record: CallRecord, lang: str) -> str:
    numbered = list(enumerate(sorted_findings(record), 1))
    head = (
        f'<thead><tr><th>#</th><th>{e(t(lang, "time"))}</th><th>{e(t(lang, "quote"))}</th>'
        f'<th>{e(t(lang, "category"))}</th><th>{e(t(lang, "severity"))}</th><th>{e(t(lang, "basis"))}</th>'
        f'<th>{e(t(lang, "confidence"))}</th></tr></thead>'
    )
    parts = [f'<section class="card" id="flags"><h2>{e(t(lang, "flags"))}</h2>']
    for key, borrower in (("collector_flags", False), ("borrower_flags", True)):
        rows = [flag_row(n, f, lang) for n, f in numbered if is_borrower_side(f) == borrower]
        if borrower and not rows:
            continue
        parts.append(f'<h3>{e(t(lang, key))}</h3>')
        if rows:
            parts.append(f'<table class="flags">{head}\n<tbody>\n' + "\n".join(rows) + "\n</tbody></table>")
        else:
            parts.append(f'<p class="empty">{e(t(lang, "no_flags"))}</p>')
    parts.append("</section>")
    return "\n".join(parts)


def _mark_html(text: str, marks, record_flags: list[Finding], lang: str) -> str:
    flags = [m for m in marks if m.kind == "flag"]
    if not marks:
        return e(text)
    if not flags:
        first = marks[0]
        return f'<mark class="{first.kind}" data-ref="{first.kind}-{first.number}">{e(text)}</mark>'
    found = [record_flags[m.number - 1] for m in flags]
    worst = max(found, key=lambda f: SEVERITY_RANK.get(f.severity, 0))
    title = "\n".join(
        f"F{m.number} {category_label(f.category, lang)} ({severity_name(f.severity, lang)})"
        + "".join(f"\n  {line}" for line in f.basis)
        for m, f in zip(flags, found)
    )
    return (
        f'<mark class="flag sev-{e(worst.severity)}" data-ref="flag-{flags[0].number}" title="{e(title)}">'
        f"{e(text)}</mark>"
    )


def transcript_section(record: CallRecord, lang: str) -> str:
    findings = sorted_findings(record)
    marks = marks_by_segment(record)
    items = []
    for seg in record.transcript.segments:
        pieces = split_spans(seg.text, marks.get(seg.id, []))
        text = "".join(_mark_html(piece, covering, findings, lang) for piece, covering in pieces)
        tags = sorted({m.number for _, _, m in marks.get(seg.id, []) if m.kind == "flag"})
        text += "".join(f'<a class="tag" href="#flag-{n}">F{n}</a>' for n in tags)
        reasons = doubt_reasons(seg, lang)
        reason_html = f'<div class="reason">{e(t(lang, "doubt"))}: {e("; ".join(reasons))}</div>' if reasons else ""
        doubt = ' class="doubt"' if reasons else ""
        items.append(
            f'<li id="seg-{seg.id}"{doubt}><div>{time_button(seg.start, lang)}</div>'
            f'<div class="who">{e(speaker_label(seg, lang))}</div><div class="text">{text}</div>{reason_html}</li>'
        )
    body = "<ol class=\"segments\">\n" + "\n".join(items) + "\n</ol>" if items else f'<p class="empty">{e(t(lang, "no_segments"))}</p>'
    return (
        f'<section class="card" id="transcript"><h2>{e(t(lang, "transcript"))}</h2>\n'
        f'<p class="machine">{e(t(lang, "machine_transcript"))}</p>\n{body}</section>'
    )


def player_section(lang: str, audio_src: str | None, embedded: bool) -> str:
    if audio_src is None:
        return f'<div class="player"><p class="note">{e(t(lang, "no_audio"))}</p></div>'
    note = t(lang, "embedded_note") if embedded else t(lang, "player_note")
    return (
        f'<div class="player"><audio id="player" controls preload="metadata" src="{e(audio_src)}"></audio>'
        f'<p class="note">{e(t(lang, "player"))} — {e(note)}</p></div>'
    )


def disclaimer_section(lang: str) -> str:
    return (
        f'<section class="card disclaimer" id="disclaimer"><h2>{e(t(lang, "disclaimer_title"))}</h2>\n'
        f"<p>{e(t(lang, 'disclaimer'))}</p>\n<p><strong>{e(t(lang, 'complain_title'))}</strong>: {e(t(lang, 'complain'))}</p>\n"
        f"<p>{e(t(lang, 'integrity'))}</p></section>"
    )


def render_call(
    record: CallRecord, *, lang: str, generated_at: str, audio_src: str | None, embedded: bool = False
) -> str:
    """The whole report page; `audio_src` is a relative URL or a data: URI (already built)."""
    body = "\n".join(
        (
            f"<main>\n{player_section(lang, audio_src, embedded)}",
            source_section(record, lang),
            summary_section(record, lang),
            flags_section(record, lang),
            transcript_section(record, lang),
            disclaimer_section(lang) + "\n</main>",
        )
    )
    return page(lang, f"{t(lang, 'report_title')} · {Path(record.source.path).name}", body, generated_at)
