"""Command line: click commands only. Parse, call the Python API, print, exit.

Exit status: 0 all good, 1 some inputs failed, 2 usage error. No traceback unless --debug.
"""

from __future__ import annotations

import functools
import sys

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
