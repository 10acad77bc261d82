"""Markdown to paste into a complaint: the same facts as the HTML report, as plain text."""

from __future__ import annotations

import re
from pathlib import Path

from ..types import CallRecord
from .i18n import category_label, date_kind, severity_name, t
from .view import (
    category_summary,
    doubt_reasons,
    format_amount,
    is_borrower_side,
    is_hours_flag,
    settings_text,
    sorted_findings,
    speaker_label,
    timecode,
)

_MARKUP = re.compile(r"([\\`*_\[\]<>|~&])")


def md(value) -> str:
    """Escape for Markdown text and table cells, mid-line: the characters that open emphasis, code,
    links, HTML, entities or cells get a backslash (CommonMark); line breaks become spaces. Text
    never starts a line here, so '#', '-' and '1.' cannot start a heading or a list."""
    return _MARKUP.sub(r"\\\1", " ".join(str(value).split()))


def render_markdown(record: CallRecord, *, lang: str, generated_at: str) -> str:
    src, call, model, lex = record.source, record.call, record.transcript.model, record.lexicon
    unknown = t(lang, "unknown")

    def with_source(value, source):
        return f"{md(value)} ({md(t(lang, 'from_source'))}: {md(source or unknown)})" if value else md(unknown)

    lines = [
        f"# {md(t(lang, 'report_title'))}: {md(Path(src.path).name)}",
        "",
        f"{md(t(lang, 'generated_at'))}: {md(generated_at)}",
        "",
        f"> {md(t(lang, 'disclaimer'))}",
        "",
        f"## {md(t(lang, 'source'))}",
        "",
        f"- {md(t(lang, 'file'))}: {md(src.path)}",
        f"- {md(t(lang, 'size'))}: {src.size} {md(t(lang, 'bytes'))}",
        f"- {md(t(lang, 'sha256'))}: {md(src.sha256)}",
        f"- {md(t(lang, 'duration'))}: {md(timecode(src.duration_s))} ({src.duration_s:.3f} s)",
        f"- {md(t(lang, 'format'))}: {md(f'{src.format}, {src.sample_rate} Hz, {src.channels} ch')}",
        f"- {md(t(lang, 'call_time'))}: {with_source(call.start_time, call.start_time_source)}",
        f"- {md(t(lang, 'number'))}: {with_source(call.number, call.number_source)}",
        f"- {md(t(lang, 'analysed_at'))}: {md(record.analysed_at or unknown)}",
        f"- {md(t(lang, 'tool'))}: call-analyzer {md(record.tool_version)}",
        f"- {md(t(lang, 'model'))}: {md(model.name)} (SHA-256 {md(model.sha256 or unknown)})",
        f"- {md(t(lang, 'lexicon'))}: "
        + (f"{md(lex.version)} (SHA-256 {md(lex.sha256)})" if lex else md(unknown)),
        f"- {md(t(lang, 'settings'))}: {md(settings_text(record.transcript.settings))}",
        "",
        f"## {md(t(lang, 'summary'))}",
        "",
    ]
    rows = category_summary(record.findings)
    if rows:
        lines += [
            f"| {md(t(lang, 'category'))} | {md(t(lang, 'severity'))} | {md(t(lang, 'collector_flags'))} | {md(t(lang, 'borrower_flags'))} |",
            "|---|---|---:|---:|",
        ]
        lines += [f"| {md(category_label(r.category, lang))} | {md(severity_name(r.severity, lang))} | {r.collector} | {r.borrower} |" for r in rows]
    else:
        lines.append(md(t(lang, "no_flags")))
    lines += ["", f"### {md(t(lang, 'amounts'))}", ""]
    lines += [
        f"- {md(timecode(a.t_start))} {md(format_amount(a.value, a.value_max, a.currency, a.approximate))}: “{md(a.quote)}”"
        for a in record.amounts
    ] or [md(t(lang, "no_amounts"))]
    lines += ["", f"### {md(t(lang, 'dates'))}", ""]
    lines += [
        f"- {md(timecode(d.t_start))} {md(date_kind(d.kind, lang))} "
        f"{md(d.value or t(lang, 'unresolved'))}: “{md(d.quote)}”"
        for d in record.dates
    ] or [md(t(lang, "no_dates"))]
    lines += ["", f"## {md(t(lang, 'flags'))}", ""]
    findings = sorted_findings(record)
    if findings:
        lines += [
            f"| # | {md(t(lang, 'time'))} | {md(t(lang, 'quote'))} | {md(t(lang, 'category'))} | {md(t(lang, 'severity'))} | {md(t(lang, 'basis'))} | {md(t(lang, 'confidence'))} |",
            "|---:|---|---|---|---|---|---:|",
        ]
        for n, f in enumerate(findings, 1):
            basis = "; ".join(f.basis) + (f" ({t(lang, 'hours_note')})" if is_hours_flag(f) else "")
            side = f" ({md(t(lang, 'borrower_flags'))})" if is_borrower_side(f) else ""
            lines.append(
                f"| F{n} | {md(timecode(f.t_start))} | {md(f.quote)}{side} | {md(category_label(f.category, lang))} | "
                f"{md(severity_name(f.severity, lang))} | {md(basis)} | {f.confidence:.2f} |"
            )
    else:
        lines.append(md(t(lang, "no_flags")))
    lines += ["", f"## {md(t(lang, 'transcript'))}", "", f"*{md(t(lang, 'machine_transcript'))}*", ""]
    for seg in record.transcript.segments:
        reasons = doubt_reasons(seg, lang)
        doubt = f" \\[{md(t(lang, 'doubt'))}: {md('; '.join(reasons))}\\]" if reasons else ""
        lines.append(f"- {md(timecode(seg.start))} **{md(speaker_label(seg, lang))}**: {md(seg.text)}{doubt}")
    if not record.transcript.segments:
        lines.append(md(t(lang, "no_segments")))
    lines += ["", f"## {md(t(lang, 'complain_title'))}", "", md(t(lang, "complain")), ""]
    return "\n".join(lines)
