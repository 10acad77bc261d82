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
@click.option("--threads", default=0, type=int, help="CPU threads per worker for Whisper (0 = cores / jobs).")
@click.option("--jobs", "-j", default=1, type=click.IntRange(min=1), show_default=True, help="Recordings analysed in parallel (worker processes).")
@click.option("--force", is_flag=True, help="Re-analyse recordings already done with the same settings.")
@click.option("--lang", "report_lang", type=click.Choice(["zh", "en"]), default="zh", show_default=True, help="Language of the reports.")
@click.option("--embed-audio", is_flag=True, help="Embed the recording in each HTML report.")
@click.option("--clips", is_flag=True, help="Cut an audio clip around every flag.")
@click.option("--max-calls-per-day", default=3, type=click.IntRange(min=1), show_default=True, help="Calls per number per day above which the timeline flags call_frequency.")
@click.option("--scheduler", default=None, metavar="tcp://HOST:8786", help="Analyse on this Dask scheduler's workers (the [cluster] extra; inputs on a filesystem they share).")
@click.option("--cluster", "local_cluster", default=None, metavar="local[:N]", help="Analyse on a Dask LocalCluster of N worker processes on this machine (default: one per core).")
@friendly_errors
def analyze(paths, out_dir, model, language, lexicons_dir, call_time, timezone, threads, jobs, force, report_lang, embed_audio, clips, max_calls_per_day, scheduler, local_cluster):
    """Transcribe and analyse recordings (files or folders, recursively) into OUT.

    Re-running resumes: recordings already analysed with the same settings are skipped."""
    from .asr import TranscribeOptions
    from .batch import ReportOptions, analyze_folder
    from .pipeline import AnalyzeOptions

    options = AnalyzeOptions(
        model=model,
        transcribe=TranscribeOptions(language=None if language == "auto" else language, cpu_threads=threads),
        lexicons_dir=lexicons_dir,
        call_time=_check_time(call_time),
        timezone=_check_timezone(timezone),
    )
    runner = _cluster_runner(scheduler, local_cluster, jobs) if scheduler or local_cluster else analyze_folder
    result = runner(
        paths,
        out_dir,
        options,
        jobs=jobs,
        force=force,
        reports=ReportOptions(lang=report_lang, embed_audio=embed_audio, clips=clips),
        max_calls_per_day=max_calls_per_day,
        progress=True,
    )
    if result.interrupted:
        click.echo(f"interrupted: {len(result.records)} recordings finished are kept; run the same command again to resume", err=True)
        sys.exit(130)
    _print_summary(result, out_dir)
    sys.exit(EXIT_SOME_FAILED if result.errors else EXIT_OK)


def _cluster_runner(scheduler: str | None, local_cluster: str | None, jobs: int):
    """analyze_folder's stand-in that runs the analyses on a Dask cluster."""
    from functools import partial

    from .cluster import analyze_on_cluster, parse_local

    if scheduler and local_cluster:
        raise click.UsageError("use either --scheduler or --cluster, not both")
    if jobs > 1:
        raise click.UsageError("--jobs is for the local runner; a cluster runs one recording per worker thread")
    workers = parse_local(local_cluster) if local_cluster else None
    return partial(analyze_on_cluster, scheduler=scheduler, local_workers=workers)


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
    """A table: one row per call with duration, flags and amounts; then the totals and one
    line per failed file."""
    from .timeline import format_columns

    rows = [["file", "duration", "flags", "amounts"]]
    for record in sorted(result.records, key=lambda r: r.source.path):
        categories = sorted({f.category for f in record.findings})
        rows.append([
            record.source.path,
            f"{record.source.duration_s:.1f}s",
            f"{len(record.findings)} ({', '.join(categories)})" if categories else "0",
            ", ".join(str(a.value) for a in record.amounts) or "-",
        ])
    if len(rows) > 1:
        click.echo(format_columns(rows))
    if result.skipped_done:
        rewritten = f", reports rewritten for {result.reports_rewritten}" if result.reports_rewritten else ""
        click.echo(f"skipped {result.skipped_done} already analysed (use --force to redo them{rewritten})")
    if result.escaped_names:
        click.echo(f"note: {result.escaped_names} file names are not valid UTF-8; outputs and the catalog show their bytes as \\xNN")
    for copy, original in result.duplicates:
        click.echo(f"same recording as {original} (analysed once; both paths are in the catalog): {copy}")
    click.echo(
        f"{len(result.records) - result.skipped_done} analysed, {len(result.errors)} failed, "
        f"{result.skipped_non_audio} non-audio files skipped -> {out_dir}"
    )
    for error in result.errors:
        message = error["error"]
        name = Path(error["path"]).name + ": "
        click.echo(f"failed: {error['path']}: {message[len(name):] if message.startswith(name) else message}", err=True)


def _catalog_path(out_dir: Path) -> Path:
    from .store import CATALOG_NAME

    path = out_dir / CATALOG_NAME
    if not path.is_file():
        raise click.BadParameter(f"no {CATALOG_NAME} in {out_dir}: run `call-analyzer analyze ... --out {out_dir}` first", param_hint="OUT")
    return path


def _print_rows(rows: list[dict], columns: list[str], fmt: str) -> None:
    """A table of `columns`, or every field as JSON."""
    if fmt == "json":
        import json

        click.echo(json.dumps(rows, ensure_ascii=False, indent=1))
        return
    from .timeline import format_columns

    def cell(value) -> str:
        if value is None:
            return "-"
        return f"{value:.1f}" if isinstance(value, float) else str(value)

    click.echo(format_columns([columns] + [[cell(r[c]) for c in columns] for r in rows]))


FORMAT_OPTION = click.option("--format", "fmt", type=click.Choice(["table", "json"]), default="table", show_default=True)


@main.command()
@click.argument("out_dir", metavar="OUT", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--max-calls-per-day", default=3, type=click.IntRange(min=1), show_default=True, help="Calls per number per day above which call_frequency is flagged.")
@click.option("--number", default=None, help="Only this other-party number.")
@FORMAT_OPTION
@friendly_errors
def timeline(out_dir, max_calls_per_day, number, fmt):
    """Calls per number per day across an analysed folder: night calls, flags, amounts, frequency."""
    from .timeline import build_timeline, format_table

    rows = build_timeline(_catalog_path(out_dir), max_calls_per_day=max_calls_per_day)
    rows = [r for r in rows if number is None or r.number == number]
    if fmt == "json":
        _print_rows([r.as_dict() for r in rows], [], "json")
        return
    click.echo(format_table(rows) if rows else "no analysed calls")
    if any(r.call_frequency for r in rows):
        click.echo(f"freq=yes: more than {max_calls_per_day} calls that day (industry guidance, not statute)")


@main.command()
@click.argument("out_dir", metavar="OUT", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.argument("words", nargs=-1, required=True)
@FORMAT_OPTION
@friendly_errors
def search(out_dir, words, fmt):
    """Transcript segments containing every one of WORDS (Chinese or not; any length)."""
    from .normalize import normalize
    from .store import Catalog

    with Catalog(_catalog_path(out_dir)) as catalog:
        rows = catalog.search([normalize(w).text for w in words])
    _print_rows(rows, ["file", "start", "end", "text"], fmt)
    if fmt == "table":
        click.echo(f"{len(rows)} segments")


@main.command()
@click.argument("out_dir", metavar="OUT", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--category", default=None, help="Only this category id, e.g. violent_threat.")
@click.option("--number", default=None, help="Only calls with this other-party number.")
@click.option("--since", default=None, help="Only calls on or after this date (YYYY-MM-DD).")
@FORMAT_OPTION
@friendly_errors
def findings(out_dir, category, number, since, fmt):
    """Every flag across an analysed folder, oldest call first."""
    from .store import Catalog

    if since is not None:
        from datetime import date

        try:
            since = date.fromisoformat(since).isoformat()
        except ValueError:
            raise click.BadParameter(f"'{since}' is not a date such as 2024-05-03", param_hint="--since")
    with Catalog(_catalog_path(out_dir)) as catalog:
        rows = catalog.findings(category=category, number=number, since=since)
    _print_rows(rows, ["file", "start_time", "number", "t_start", "category", "severity", "quote"], fmt)
    if fmt == "table":
        click.echo(f"{len(rows)} flags")


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
    """Re-hash OUT's files (and the original recordings, where present) against MANIFEST.sha256 and manifest.json."""
    from .report.manifest import check

    result = check(out_dir)
    for absent in result.absent_inputs:
        click.echo(f"not checked (recording not found at its recorded path): {absent}")
    for problem in result.problems:
        click.echo(problem)
    if result.problems:
        click.echo(f"FAILED: {len(result.problems)} problem(s) in {out_dir}", err=True)
        sys.exit(EXIT_SOME_FAILED)
    click.echo(f"OK: {result.outputs} outputs, {result.inputs} inputs verified")


@main.command()
@click.argument("files", metavar="FILE...", nargs=-1, required=True)
@click.option("--format", "fmt", type=click.Choice(["table", "json", "jsonl"]), default="table", show_default=True)
@click.option("--lexicons", "lexicons_dir", type=click.Path(path_type=Path), help="Folder of .toml lexicons that add to or replace the built-in ones.")
@click.option("--call-time", callback=lambda ctx, param, value: _check_time(value), help="Start of the call (ISO 8601), to resolve relative dates.")
@friendly_errors
def scan(files, fmt, lexicons_dir, call_time):
    """Flag conduct in text transcripts: plain text, - (stdin), transcript JSON, .srt, .vtt."""
    import json
    from dataclasses import asdict

    from .analysis import analyze_text
    from .errors import InputError
    from .lexicon import default_lexicons, load_lexicons
    from .textinput import read_text_units
    from .timeline import format_columns

    lexicons = load_lexicons(lexicons_dir) if lexicons_dir else default_lexicons()
    lexicon = asdict(lexicons.info)
    findings, suppressed, failed = [], [], 0
    for name in files:
        try:
            units = read_text_units(name)
        except InputError as exc:
            click.echo(f"error: {exc.message}", err=True)
            failed += 1
            continue
        for unit in units:
            result = analyze_text(unit.text, call_time, lexicons=lexicons)
            where = {"file": name, "unit": unit.label, "time": unit.start}
            findings += [{**where, **asdict(f)} for f in result.findings]
            suppressed += [{**where, **asdict(s)} for s in result.suppressed]
    if fmt == "json":
        click.echo(json.dumps({"lexicon": lexicon, "findings": findings, "suppressed": suppressed}, ensure_ascii=False, indent=1))
    elif fmt == "jsonl":
        for row in findings:
            click.echo(json.dumps({**row, "lexicon": lexicon}, ensure_ascii=False))
    else:
        names = {c.id: c.name_zh for c in lexicons.categories.values()}
        rows = [["file", "where", "category", "severity", "quote"]]
        for f in findings:
            where = f"{f['time']:.1f}s" if f["time"] is not None else f["unit"]
            rows.append([f["file"], where, f"{names.get(f['category'], '')} {f['category']}", f["severity"], f["quote"]])
        click.echo(format_columns(rows) if findings else "no findings")
        click.echo(f"{len(findings)} finding(s), {len(suppressed)} suppressed; lexicons {lexicon['version']} sha256 {lexicon['sha256'][:12]}")
    sys.exit(EXIT_SOME_FAILED if failed else EXIT_OK)
