"""The SQLite catalog: schema and migrations, one transaction per finished call, search, findings."""

from __future__ import annotations

import hashlib
import os
import sqlite3
from decimal import Decimal
from pathlib import Path

import pytest

from analyzer.store import CATALOG_NAME, SCHEMA_VERSION, Catalog, safe_text
from analyzer.types import (
    Amount,
    AudioInfo,
    CallInfo,
    CallRecord,
    DateMention,
    Finding,
    ModelInfo,
    Segment,
    Transcript,
)


def make_record(
    name: str,
    texts: list[str],
    *,
    number: str | None = None,
    start_time: str | None = None,
    findings: list[tuple[str, int]] = (),
    amounts: list[str] = (),
    duration_s: float = 60.0,
) -> CallRecord:
    """A small but complete CallRecord (no Whisper): `findings` are (category, segment id)."""
    segments = tuple(Segment(id=i, start=i * 5.0, end=i * 5.0 + 4.0, text=t, raw_text=t) for i, t in enumerate(texts))
    return CallRecord(
        source=AudioInfo(
            path=name,
            size=1000,
            sha256=hashlib.sha256(name.encode("utf-8", "surrogateescape")).hexdigest(),
            duration_s=duration_s,
            sample_rate=16000,
            channels=1,
            format="WAV",
        ),
        call=CallInfo(
            start_time=start_time,
            start_time_source="filename" if start_time else None,
            number=number,
            number_source="filename" if number else None,
        ),
        transcript=Transcript(
            segments=segments,
            language="zh",
            model=ModelInfo(name="fake", sha256=None),
            settings={},
        ),
        findings=tuple(
            Finding(
                category=c,
                severity="high",
                start=0,
                end=2,
                quote=texts[s][:2],
                matched=texts[s][:2],
                rule_id=f"{c}/test",
                basis=("test",),
                segment_id=s,
                t_start=s * 5.0,
                t_end=s * 5.0 + 1,
            )
            for c, s in findings
        ),
        amounts=tuple(Amount(start=0, end=1, quote=a, value=Decimal(a), segment_id=0) for a in amounts),
        dates=(
            DateMention(
                start=0,
                end=2,
                quote="明天",
                kind="point",
                value="2024-05-09",
                resolved=True,
            ),
        ),
        tool_version="test",
        analysed_at="2024-05-08T00:00:00+00:00",
    )


def _store(catalog: Catalog, record: CallRecord, tmp_path: Path, fingerprint: str = "fp") -> Path:
    json_path = tmp_path / (safe_text(record.source.path) + ".json")
    json_path.write_text("{}", encoding="utf-8")
    catalog.record_done(
        record,
        fingerprint=fingerprint,
        paths=[(str(tmp_path / record.source.path), record.source.path)],
        outputs=[json_path],
        json_path=json_path,
        now="2024-05-08T00:00:00+00:00",
    )
    return json_path


def test_schema_version_wal_and_reopen(tmp_path):
    with Catalog(tmp_path / CATALOG_NAME) as catalog:
        assert catalog.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert catalog.db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        _store(catalog, make_record("a.wav", ["你好"]), tmp_path)
    with Catalog(tmp_path / CATALOG_NAME) as catalog:  # reopening migrates nothing and keeps the rows
        assert catalog.db.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 1


def test_newer_schema_is_refused_with_a_clear_error(tmp_path):
    from analyzer.errors import OutputError

    db = sqlite3.connect(tmp_path / CATALOG_NAME)
    db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    db.close()
    with pytest.raises(OutputError, match="newer call-analyzer"):
        Catalog(tmp_path / CATALOG_NAME)


def test_done_only_while_outputs_verify(tmp_path):
    record = make_record("a.wav", ["你好"])
    sha = record.source.sha256
    with Catalog(tmp_path / CATALOG_NAME) as catalog:
        json_path = _store(catalog, record, tmp_path)
        assert catalog.analysis_done(sha, "fp") and catalog.reports_current(sha, None)
        assert not catalog.analysis_done(sha, "other settings")
        assert not catalog.reports_current(sha, '{"lang": "en"}')
        json_path.write_text('{"edited": true}', encoding="utf-8")
        assert not catalog.analysis_done(sha, "fp") and not catalog.reports_current(sha, None)
        json_path.unlink()
        assert not catalog.analysis_done(sha, "fp")


def test_migrating_a_version_1_catalog_keeps_its_rows(tmp_path):
    from analyzer.store import MIGRATIONS, _statements

    db = sqlite3.connect(tmp_path / CATALOG_NAME)
    for statement in _statements(MIGRATIONS[0]):
        db.execute(statement)
    db.execute("INSERT INTO calls (sha256, status) VALUES ('abc', 'done')")
    db.execute("PRAGMA user_version = 1")
    db.commit()
    db.close()
    with Catalog(tmp_path / CATALOG_NAME) as catalog:
        assert catalog.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
        assert [tuple(r) for r in catalog.db.execute("SELECT sha256, reports FROM calls")] == [("abc", None)]


def test_redoing_a_call_replaces_its_rows(tmp_path):
    with Catalog(tmp_path / CATALOG_NAME) as catalog:
        for _ in range(2):
            _store(
                catalog,
                make_record(
                    "a.wav",
                    ["我们明天上门找你", "还钱"],
                    findings=[("intimidation", 0)],
                ),
                tmp_path,
            )
        counts = [
            catalog.db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
            for t in ("calls", "segments", "segments_fts", "findings", "dates")
        ]
        assert counts == [1, 2, 2, 1, 1]


def test_failed_then_done_and_unreadable_rows(tmp_path):
    record = make_record("a.wav", ["你好"])
    with Catalog(tmp_path / CATALOG_NAME) as catalog:
        catalog.record_failed(
            record.source.sha256,
            path="/in/a.wav",
            relative="a.wav",
            error="bad",
            size=3,
            now="t",
        )
        catalog.record_failed(
            None,
            path="/in/pipe.wav",
            relative="pipe.wav",
            error="not a regular file",
            size=None,
            now="t",
        )
        catalog.record_failed(
            None,
            path="/in/pipe.wav",
            relative="pipe.wav",
            error="not a regular file",
            size=None,
            now="t",
        )
        assert catalog.db.execute("SELECT COUNT(*) FROM calls WHERE status = 'failed'").fetchone()[0] == 2
        _store(catalog, record, tmp_path)
        assert catalog.call_by_sha(record.source.sha256).status == "done"
        # a failure seen under another path never downgrades a recording already done
        catalog.record_failed(
            record.source.sha256,
            path="/in/b.wav",
            relative="b.wav",
            error="bad",
            size=3,
            now="t",
        )
        row = catalog.call_by_sha(record.source.sha256)
        assert row.status == "done" and "/in/b.wav" in catalog.paths(row.id)


def test_a_failing_transaction_leaves_no_rows(tmp_path):
    record = make_record("a.wav", ["你好"])
    with Catalog(tmp_path / CATALOG_NAME) as catalog:
        with pytest.raises(OSError):  # an output that vanished: hashing it fails before anything is written
            catalog.record_done(
                record,
                fingerprint="fp",
                paths=[],
                outputs=[tmp_path / "missing.json"],
                json_path=tmp_path / "missing.json",
                now="t",
            )
        with pytest.raises(sqlite3.IntegrityError), catalog.transaction():
            catalog.db.execute("INSERT INTO calls (sha256, status) VALUES ('x', 'done')")
            catalog.db.execute("INSERT INTO calls (sha256, status) VALUES ('x', 'done')")
        assert catalog.db.execute("SELECT COUNT(*) FROM calls").fetchone()[0] == 0


def test_search_finds_chinese_of_any_length(tmp_path):
    with Catalog(tmp_path / CATALOG_NAME) as catalog:
        _store(catalog, make_record("a.wav", ["我们明天上门找你", "请按时还款"]), tmp_path)
        _store(catalog, make_record("b.wav", ["上门拜访需要预约", "100%_ok"]), tmp_path)
        texts = lambda words: sorted(r["text"] for r in catalog.search(words))
        assert texts(["上门"]) == ["上门拜访需要预约", "我们明天上门找你"]
        assert texts(["上门找"]) == ["我们明天上门找你"]
        assert texts(["上门", "预约"]) == ["上门拜访需要预约"]
        assert texts(["还"]) == ["请按时还款"]
        assert texts(["%"]) == ["100%_ok"] and texts(["0%_"]) == ["100%_ok"]  # LIKE wildcards are literal
        assert texts(["警察"]) == []
        assert catalog.search(["上门找"])[0]["file"] == "a.wav"


def test_findings_filters(tmp_path):
    with Catalog(tmp_path / CATALOG_NAME) as catalog:
        _store(
            catalog,
            make_record(
                "a.wav",
                ["废物", "上门"],
                number="13800138000",
                start_time="2024-05-03T10:00:00+08:00",
                findings=[("insult", 0), ("intimidation", 1)],
            ),
            tmp_path,
        )
        _store(
            catalog,
            make_record(
                "b.wav",
                ["垃圾"],
                number="13900139000",
                start_time="2024-05-05T10:00:00+08:00",
                findings=[("insult", 0)],
            ),
            tmp_path,
        )
        _store(catalog, make_record("c.wav", ["笨蛋"], findings=[("insult", 0)]), tmp_path)  # time unknown
        assert len(catalog.findings()) == 4
        assert {r["file"] for r in catalog.findings(category="insult")} == {
            "a.wav",
            "b.wav",
            "c.wav",
        }
        assert [r["category"] for r in catalog.findings(number="13800138000")] == [
            "insult",
            "intimidation",
        ]
        assert [r["file"] for r in catalog.findings(since="2024-05-04")] == ["b.wav"]


def test_non_utf8_names_are_stored_escaped(tmp_path):
    name = os.fsdecode(b"call-\xff\xfe.wav")
    record = make_record(name, ["你好"])
    with Catalog(tmp_path / CATALOG_NAME) as catalog:
        catalog.record_failed(
            record.source.sha256,
            path=safe_text(tmp_path / name),
            relative=safe_text(name),
            error="x",
            size=1,
            now="t",
        )
        assert catalog.db.execute("SELECT relative FROM paths").fetchone()[0] == "call-\\xff\\xfe.wav"
