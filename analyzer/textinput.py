"""Text transcripts for `scan`: plain text, stdin (`-`), our transcript JSON, SubRip (.srt), WebVTT (.vtt).

Each input becomes a list of units (a line, a cue or a segment) so that findings can say where
they are: the unit's label and, when the format has one, its start time in seconds.
"""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import NamedTuple

from .errors import InputError

_CUE_TIME = re.compile(r"^\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})\s*-->\s*((?:\d+:)?\d{1,2}:\d{2}[.,]\d{1,3})")


class TextUnit(NamedTuple):
    label: str  # "line 3", "cue 12", "segment 4"
    start: float | None  # seconds into the recording, when the format says
    text: str


def _decode(data: bytes, name: str) -> str:
    for encoding in ("utf-8-sig", "gb18030"):  # Chinese text files are often GB18030/GBK
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise InputError(f"{name}: not UTF-8 or GB18030 text")


def _seconds(stamp: str) -> float:
    parts = stamp.replace(",", ".").split(":")
    return sum(float(p) * 60**i for i, p in enumerate(reversed(parts)))


def parse_plain(text: str) -> list[TextUnit]:
    return [TextUnit(f"line {i}", None, line.strip()) for i, line in enumerate(text.splitlines(), 1) if line.strip()]


def parse_cues(text: str, name: str) -> list[TextUnit]:
    """SubRip and WebVTT: blocks separated by blank lines, each with a `start --> end` line."""
    units = []
    for number, block in enumerate(re.split(r"\n\s*\n", text.replace("\r\n", "\n").strip()), 1):
        lines = block.split("\n")
        at = next((i for i, line in enumerate(lines) if _CUE_TIME.match(line)), None)
        if at is None:
            if (number == 1 and lines[0].startswith("WEBVTT")) or lines[0].startswith(("NOTE", "STYLE", "REGION")):
                continue
            raise InputError(f"{name}: block {number} has no 'start --> end' time line")
        cue_text = " ".join(line.strip() for line in lines[at + 1 :] if line.strip())
        cue_text = re.sub(r"<[^>]+>", "", cue_text)  # WebVTT voice/style tags
        if cue_text:
            label = lines[at - 1].strip() if at > 0 else str(len(units) + 1)
            units.append(TextUnit(f"cue {label}", _seconds(_CUE_TIME.match(lines[at]).group(1)), cue_text))
    return units


def parse_transcript_json(text: str, name: str) -> list[TextUnit]:
    """Our transcript JSON: an object with a `segments` list of {id, start, end, text}."""
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InputError(f"{name}: invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}") from None
    if not isinstance(data, dict) or not isinstance(data.get("segments"), list):
        raise InputError(f"{name}: not a call-analyzer transcript (expected an object with a 'segments' list)")
    units = []
    for i, seg in enumerate(data["segments"]):
        if not isinstance(seg, dict) or not isinstance(seg.get("text"), str):
            raise InputError(f"{name}: segment {i} has no 'text' string")
        start = seg.get("start")
        if start is not None and (isinstance(start, bool) or not isinstance(start, (int, float))):
            raise InputError(f"{name}: segment {i} has a non-numeric 'start'")
        units.append(TextUnit(f"segment {seg.get('id', i)}", None if start is None else float(start), seg["text"]))
    return units


def _sniff(text: str) -> str:
    head = text.lstrip()
    if head.startswith("{"):
        return ".json"
    if head.startswith("WEBVTT"):
        return ".vtt"
    if re.match(r"\d+\s*\n", head) and _CUE_TIME.match(head.split("\n", 2)[1] if "\n" in head else ""):
        return ".srt"
    return ".txt"


def read_text_units(source: str) -> list[TextUnit]:
    """Units of one input; `-` reads stdin (its format is sniffed). Raises InputError on bad input."""
    if source == "-":
        text, name = _decode(sys.stdin.buffer.read(), "stdin"), "stdin"
        kind = _sniff(text)
    else:
        path = Path(source)
        if not path.is_file():
            raise InputError(f"{source}: no such file")
        try:
            text = _decode(path.read_bytes(), source)
        except OSError as exc:
            raise InputError(f"{source}: cannot read ({exc.strerror})") from None
        name, kind = source, path.suffix.lower()
    if kind == ".json":
        return parse_transcript_json(text, name)
    if kind in (".srt", ".vtt"):
        return parse_cues(text, name)
    return parse_plain(text)
