"""`search`, `findings` and `timeline` over a catalog: tables, --format json, clear errors."""

from __future__ import annotations

import json

import pytest
from click.testing import CliRunner

from analyzer.cli import main
from analyzer.store import CATALOG_NAME, Catalog

from .test_store import _store, make_record

A = "13800138000"


@pytest.fixture
def out(tmp_path):
    day = "2024-05-03T{}:00+08:00"
    with Catalog(tmp_path / CATALOG_NAME) as catalog:
        for i, hour in enumerate(("09:00", "10:00", "11:00", "23:30")):
            texts = ["我们明天上门找你", "你这个废物"] if i == 0 else ["请按时还款", "还三千"]
            findings = [("intimidation", 0), ("insult", 1)] if i == 0 else []
            if hour == "23:30":
                findings = [("prohibited_hours", 0)]
            _store(
                catalog,
                make_record(
                    f"{A}_{i}.wav",
                    texts,
                    number=A,
                    start_time=day.format(hour),
                    findings=findings,
                    amounts=["3000"],
                ),
                tmp_path,
            )
        _store(
            catalog,
            make_record(
                "other.wav",
                ["上门拜访"],
                number="13900139000",
                start_time="2024-05-06T10:00:00+08:00",
                findings=[("intimidation", 0)],
            ),
            tmp_path,
        )
    return tmp_path


def _run(*args):
    result = CliRunner().invoke(main, list(args))
    return result.exit_code, result.output


def test_search_table_and_json(out):
    code, text = _run("search", str(out), "上门")
    assert code == 0 and "我们明天上门找你" in text and "上门拜访" in text and "2 segments" in text
    code, text = _run("search", str(out), "上门找", "--format", "json")
    rows = json.loads(text)
    assert code == 0 and [r["file"] for r in rows] == [f"{A}_0.wav"] and rows[0]["start"] == 0.0
    code, text = _run("search", str(out), "還")  # Traditional query finds the Simplified transcript
    assert code == 0 and "6 segments" in text


def test_findings_filters_and_json(out):
    code, text = _run("findings", str(out), "--format", "json")
    assert code == 0 and len(json.loads(text)) == 4
    code, text = _run("findings", str(out), "--category", "intimidation", "--format", "json")
    assert {r["file"] for r in json.loads(text)} == {f"{A}_0.wav", "other.wav"}
    code, text = _run("findings", str(out), "--number", A, "--since", "2024-05-04")
    assert code == 0 and "0 flags" in text
    code, text = _run("findings", str(out), "--since", "2024-05-04")
    assert "other.wav" in text and "1 flags" in text
    code, text = _run("findings", str(out), "--since", "May 4")
    assert code == 2 and "is not a date" in text


def test_timeline_command(out):
    code, text = _run("timeline", str(out))
    assert code == 0
    line = next(line for line in text.splitlines() if line.startswith(A))
    assert line.split()[:6] == [A, "2024-05-03", "4", "4.00", "1", "yes"]
    assert "industry guidance" in text
    code, text = _run("timeline", str(out), "--number", "13900139000", "--format", "json")
    assert code == 0 and [(r["date"], r["calls"]) for r in json.loads(text)] == [("2024-05-06", 1)]
    code, text = _run("timeline", str(out), "--max-calls-per-day", "4", "--format", "json")
    rows = json.loads(text)
    assert code == 0 and not any(r["call_frequency"] for r in rows) and rows[0]["flags"]["insult"] == 1


def test_folder_without_catalog_is_a_usage_error(tmp_path):
    for command in ("search", "findings", "timeline"):
        args = [command, str(tmp_path)] + (["上门"] if command == "search" else [])
        code, text = _run(*args)
        assert code == 2 and "run `call-analyzer analyze" in text
