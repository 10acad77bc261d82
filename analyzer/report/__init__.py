"""Evidence outputs, all built from the canonical JSON (never by re-transcribing):
per call HTML, Markdown, SRT, WebVTT (and optional clips); per folder index.html, CSVs,
manifest.json and, last, MANIFEST.sha256.

Rendering is deterministic: the same JSON gives the same bytes except the "generated at" line."""

from __future__ import annotations

import json
from datetime import datetime, timezone
from pathlib import Path

from ..audio import decode
from ..errors import InputError
from ..fileio import write_atomic
from ..record import SCHEMA_VERSION, from_dict
from ..types import CallRecord
from .csvout import render_calls_csv, render_findings_csv
from .html import audio_href, render_call
from .i18n import check_lang
from .index import render_index
from .manifest import (
    MANIFEST_JSON,
    MANIFEST_SHA,
    previous_inputs,
    render_checksums,
    render_manifest,
)
from .markdown import render_markdown
from .media import embedded_audio_uri, write_clips
from .subtitles import render_srt, render_vtt
from .view import report_base

__all__ = ["find_records", "regenerate", "write_batch_outputs", "write_call_outputs"]

ERRORS_JSON = "errors.json"


def _now() -> str:
    return datetime.now(timezone.utc).isoformat(timespec="seconds")


def _sibling(base: Path, suffix: str) -> Path:
    return base.with_name(base.name + suffix)


def write_call_outputs(
    out_dir: Path,
    json_path: Path,
    record: CallRecord,
    *,
    audio_path: Path | None,
    lang: str = "zh",
    embed_audio: bool = False,
    clips: bool = False,
    generated_at: str | None = None,
) -> list[Path]:
    """HTML, Markdown, SRT and VTT next to the record's JSON (and clips in `<name>.clips/`).
    The HTML links `audio_path` relatively, or embeds a compressed copy with `embed_audio`."""
    check_lang(lang)
    out_dir, json_path = Path(out_dir), Path(json_path)
    if not json_path.is_relative_to(out_dir):
        json_path = out_dir / json_path
    generated_at = generated_at or _now()
    base = report_base(json_path)
    html_path = _sibling(base, ".html")
    audio = Path(audio_path) if audio_path is not None and Path(audio_path).is_file() else None
    samples = decode(audio).samples if audio is not None and (embed_audio or clips) else None
    audio_src = None
    if audio is not None:
        audio_src = embedded_audio_uri(samples) if embed_audio else audio_href(html_path, audio)
    outputs = {
        html_path: render_call(record, lang=lang, generated_at=generated_at, audio_src=audio_src, embedded=embed_audio),
        _sibling(base, ".md"): render_markdown(record, lang=lang, generated_at=generated_at),
        _sibling(base, ".srt"): render_srt(record, lang=lang),
        _sibling(base, ".vtt"): render_vtt(record, lang=lang),
    }
    for path, text in outputs.items():
        write_atomic(path, text)
    written = list(outputs)
    if clips and audio is not None:
        written += write_clips(record, samples, _sibling(base, ".clips"), write_atomic)
    return written


def find_records(out_dir: Path) -> list[tuple[Path, CallRecord]]:
    """Every canonical record under OUT (files with our `schema_version`), in path order."""
    found = []
    for path in sorted(Path(out_dir).rglob("*.json"), key=lambda p: p.relative_to(out_dir).as_posix()):
        if path.name.startswith(".") or not path.is_file():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise InputError(f"{path}: cannot read as JSON ({exc})") from exc
        if not isinstance(data, dict) or "schema_version" not in data:
            continue
        if str(data["schema_version"]).split(".")[0] != SCHEMA_VERSION.split(".")[0]:
            raise InputError(f"{path}: schema version {data['schema_version']} is not supported (expected {SCHEMA_VERSION})")
        try:
            found.append((path, from_dict(data)))
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise InputError(f"{path}: not a valid call record ({exc!r})") from exc
    return found


def _errors(out_dir: Path) -> list[dict]:
    try:
        data = json.loads((out_dir / ERRORS_JSON).read_text(encoding="utf-8"))
    except OSError:
        return []
    except ValueError as exc:
        raise InputError(f"{out_dir / ERRORS_JSON}: cannot read as JSON ({exc})") from exc
    return [e for e in data if isinstance(e, dict)] if isinstance(data, list) else []


def write_batch_outputs(
    out_dir: Path, *, lang: str = "zh", inputs: dict | None = None, generated_at: str | None = None
) -> list[Path]:
    """index.html, findings.csv, calls.csv, manifest.json, then MANIFEST.sha256 over everything.
    `inputs` maps each record's relative path to its absolute input path (merged over those of the
    previous manifest.json, so calls from earlier runs keep theirs): `verify` re-hashes them later."""
    check_lang(lang)
    out_dir = Path(out_dir)
    generated_at = generated_at or _now()
    inputs = {**previous_inputs(out_dir), **{str(k): str(Path(v).resolve()) for k, v in (inputs or {}).items()}}
    records = find_records(out_dir)
    errors = _errors(out_dir)

    def relative(path: Path, suffix: str) -> str:
        return (report_base(path).relative_to(out_dir).as_posix() + suffix) if suffix else path.relative_to(out_dir).as_posix()

    reports = [(record, relative(path, ".html")) for path, record in records]
    outputs = {
        out_dir / "index.html": render_index(reports, errors, lang=lang, generated_at=generated_at),
        out_dir / "findings.csv": render_findings_csv(reports, lang),
        out_dir / "calls.csv": render_calls_csv(reports, errors),
        out_dir / MANIFEST_JSON: render_manifest(
            [(record, relative(path, "")) for path, record in records], errors, inputs, generated_at
        ),
    }
    for path, text in outputs.items():
        write_atomic(path, text)
    checksums = out_dir / MANIFEST_SHA
    write_atomic(checksums, render_checksums(out_dir))
    return [*outputs, checksums]


def regenerate(out_dir: Path, *, lang: str = "zh", embed_audio: bool = False, clips: bool = False) -> list[Path]:
    """Rebuild every report and batch output from the JSON in OUT (for `call-analyzer report`)."""
    check_lang(lang)
    out_dir = Path(out_dir)
    if not out_dir.is_dir():
        raise InputError(f"{out_dir} is not a folder of analysis results")
    generated_at = _now()
    inputs = previous_inputs(out_dir)
    written = []
    for json_path, record in find_records(out_dir):
        audio = inputs.get(record.source.path)
        written += write_call_outputs(
            out_dir, json_path, record, audio_path=Path(audio) if audio else None,
            lang=lang, embed_audio=embed_audio, clips=clips, generated_at=generated_at,
        )  # fmt: skip
    return written + write_batch_outputs(out_dir, lang=lang, inputs=inputs, generated_at=generated_at)
