"""`python -m analyzer` is the same as the `call-analyzer` command."""

from analyzer.cli import main

main(prog_name="call-analyzer")
