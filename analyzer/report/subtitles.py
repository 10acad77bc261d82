"""SRT and WebVTT: the transcript as subtitles, flags marked in the cue text ([⚠ 辱骂 insult]),
so any media player shows them while the recording plays."""

from __future__ import annotations

from html import escape

from ..types import CallRecord
from .i18n import category_label, t
from .view import sorted_findings


def _clock(seconds: float, sep: str) -> str:
    millis = round(max(seconds, 0.0) * 1000)
    hours, rest = divmod(millis, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    return f"{hours:02d}:{minutes:02d}:{rest // 1000:02d}{sep}{rest % 1000:03d}"


def srt_text(value: str) -> str:
    """SRT has no escaping: one line, no tag brackets (players render <i>, <font>, {\\an8})."""
    one_line = " ".join(str(value).split())
    return one_line.translate(str.maketrans({"<": "‹", ">": "›", "{": "｛", "}": "｝"}))


def vtt_text(value: str) -> str:
    """WebVTT cue text: one line, & < > as character references (so '-->' can never appear)."""
    return escape(" ".join(str(value).split()), quote=False)


def _cues(record: CallRecord, lang: str) -> list[tuple[float, float, str, str]]:
    """(start, end, text, flag labels) per segment; end is kept after start so players accept it."""
    labels: dict[int, list[str]] = {}
    for f in sorted_findings(record):
        if f.segment_id is not None:
            labels.setdefault(f.segment_id, []).append(f"[⚠ {category_label(f.category, lang)}]")
    return [
        (s.start, max(s.end, s.start + 0.001), s.text, " ".join(labels.get(s.id, [])))
        for s in record.transcript.segments
    ]


def render_srt(record: CallRecord, *, lang: str) -> str:
    blocks = []
    for n, (start, end, text, flags) in enumerate(_cues(record, lang), 1):
        line = srt_text(f"{flags} {text}" if flags else text)
        blocks.append(f"{n}\n{_clock(start, ',')} --> {_clock(end, ',')}\n{line}\n")
    return "\n".join(blocks)


def render_vtt(record: CallRecord, *, lang: str) -> str:
    blocks = ["WEBVTT\n", f"NOTE {vtt_text(t(lang, 'machine_transcript'))}\n"]
    for n, (start, end, text, flags) in enumerate(_cues(record, lang), 1):
        line = vtt_text(f"{flags} {text}" if flags else text)
        blocks.append(f"{n}\n{_clock(start, '.')} --> {_clock(end, '.')}\n{line}\n")
    return "\n".join(blocks)
