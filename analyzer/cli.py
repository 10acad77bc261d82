"""Command line: click commands only. Parse, call the Python API, print, exit.

Exit status: 0 all good, 1 some inputs failed, 2 usage error. No traceback unless --debug.
"""

from __future__ import annotations

import functools
import sys
from pathlib import Path

import click

from . import __version__
from .errors import AnalyzerError

EXIT_OK, EXIT_SOME_FAILED, EXIT_USAGE = 0, 1, 2


def friendly_errors(func):
    """Turn expected failures into one clear line (exit 2); keep tracebacks for --debug."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        ctx = click.get_current_context()
        try:
            return func(*args, **kwargs)
        except AnalyzerError as exc:
            if ctx.find_root().params.get("debug"):
                raise
            click.echo(f"error: {exc.message}", err=True)
            sys.exit(EXIT_USAGE)
        except KeyboardInterrupt:
            click.echo("interrupted", err=True)
            sys.exit(130)

    return wrapper


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="call-analyzer")
@click.option("--debug", is_flag=True, help="Show full tracebacks for errors.")
def main(debug: bool) -> None:
    """Offline analysis of Mandarin debt-collection call recordings."""


# --- commands are added below this line; keep each one thin -------------------------------


@main.command()
@click.argument("paths", nargs=-1, required=True, type=click.Path(exists=True, path_type=Path))
@click.option("--out", "out_dir", required=True, type=click.Path(file_okay=False, path_type=Path), help="Output folder.")
@click.option("--model", default=None, help="Whisper model: a CTranslate2 folder or a faster-whisper name (default: embedded base).")
@click.option("--language", default="zh", show_default=True, help="Spoken language code, or 'auto' to detect.")
@click.option("--lexicons", "lexicons_dir", type=click.Path(exists=True, file_okay=False, path_type=Path), help="Folder of extra/overriding lexicon TOML files.")
@click.option("--call-time", default=None, help="Call start time (ISO 8601) for every file; overrides file names and tags.")
@click.option("--timezone", default="Asia/Shanghai", show_default=True, help="Time zone of call times and dates.")
@click.option("--threads", default=0, type=int, help="CPU threads for Whisper (0 = all cores).")
@friendly_errors
def analyze(paths, out_dir, model, language, lexicons_dir, call_time, timezone, threads):
    """Transcribe and analyse recordings (files or folders, recursively) into OUT."""
    from .asr import TranscribeOptions
    from .audio import probe_duration
    from .pipeline import AnalyzeOptions, analyze_folder, check_output_dir, discover
    from .progress import BatchProgress

    options = AnalyzeOptions(
        model=model,
        transcribe=TranscribeOptions(language=None if language == "auto" else language, cpu_threads=threads),
        lexicons_dir=lexicons_dir,
        call_time=_check_time(call_time),
        timezone=_check_timezone(timezone),
    )
    check_output_dir(out_dir)
    items, skipped = discover(paths, exclude=out_dir)
    durations = {item.path: probe_duration(item.path) for item in items}
    progress = BatchProgress(len(items), sum(durations.values()))
    result = analyze_folder(
        paths,
        out_dir,
        options,
        on_start=lambda item: progress.start(str(item.relative)),
        on_done=lambda item, record, error: progress.done(
            str(item.relative), record.source.duration_s if record else durations[item.path], error
        ),
    )
    progress.close()
    _print_summary(result, out_dir)
    sys.exit(EXIT_SOME_FAILED if result.errors else EXIT_OK)


def _check_time(value: str | None) -> str | None:
    if value is None:
        return None
    from datetime import datetime

    try:
        datetime.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"'{value}' is not an ISO 8601 time such as 2024-05-08T10:00:00+08:00", param_hint="--call-time")
    return value


def _check_timezone(value: str) -> str:
    from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

    try:
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise click.BadParameter(f"unknown time zone '{value}' (use a name such as Asia/Shanghai)", param_hint="--timezone")
    return value


def _print_summary(result, out_dir: Path) -> None:
    """A table: one row per call with duration, flags and amounts; then the totals."""
    rows = [("file", "duration", "flags", "amounts")]
    for record in result.records:
        categories = sorted({f.category for f in record.findings})
        rows.append((
            record.source.path,
            f"{record.source.duration_s:.1f}s",
            f"{len(record.findings)} ({', '.join(categories)})" if categories else "0",
            ", ".join(str(a.value) for a in record.amounts) or "-",
        ))
    widths = [max(len(r[i]) for r in rows) for i in range(4)]
    for row in rows:
        click.echo("  ".join(cell.ljust(w) for cell, w in zip(row, widths)).rstrip())
    click.echo(
        f"{len(result.records)} analysed, {len(result.errors)} failed, "
        f"{result.skipped_non_audio} non-audio files skipped -> {out_dir}"
    )
    for error in result.errors:
        click.echo(f"failed: {error['path']}: {error['error']}", err=True)


@main.command()
@click.argument("out_dir", metavar="OUT", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--lang", "report_lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Report language.")
@click.option("--embed-audio", is_flag=True, help="Embed a compressed copy of each recording in its HTML report.")
@click.option("--clips", is_flag=True, help="Also write a short audio clip around each flag.")
@friendly_errors
def report(out_dir, report_lang, embed_audio, clips):
    """Rebuild every report, CSV and the manifest in OUT from its JSON (no transcription)."""
    from .report import regenerate

    written = regenerate(out_dir, lang=report_lang, embed_audio=embed_audio, clips=clips)
    click.echo(f"{len(written)} files written in {out_dir}")


@main.command()
@click.argument("out_dir", metavar="OUT", type=click.Path(exists=True, file_okay=False, path_type=Path))
@friendly_errors
def verify(out_dir):
    """Re-hash OUT's files (and the original recordings) against MANIFEST.sha256 and manifest.json."""
    from .report.manifest import check

    result = check(out_dir)
    for problem in result.problems:
        click.echo(problem)
    if result.problems:
        click.echo(f"FAILED: {len(result.problems)} problem(s) in {out_dir}", err=True)
        sys.exit(EXIT_SOME_FAILED)
    click.echo(f"OK: {result.outputs} outputs, {result.inputs} inputs verified")
