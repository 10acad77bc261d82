"""The batch catalog `OUT/catalog.sqlite`: one row per recording (identified by its SHA-256), the
paths it was found under, and its segments, findings, amounts and dates for search and the timeline.

A call becomes `done` only in the transaction that writes its rows, and only after its JSON and
reports are on disk, so a kill at any moment leaves either the old complete state or a call the
next run will redo. Paths are stored as display-safe text: bytes that are not UTF-8 appear as
`\\xNN` escapes (see `safe_text`).
"""

from __future__ import annotations

import json
import os
import sqlite3
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from .types import CallRecord

CATALOG_NAME = "catalog.sqlite"
FTS_MIN_CHARS = 3  # the trigram tokenizer cannot match shorter queries; those use LIKE

MIGRATIONS: tuple[str, ...] = (
    # 1: the first schema
    """
    CREATE TABLE calls (
        id INTEGER PRIMARY KEY,
        sha256 TEXT UNIQUE,              -- NULL only for files that could not even be read
        size INTEGER,
        duration_s REAL,
        start_time TEXT, start_time_source TEXT,
        number TEXT, number_source TEXT,
        status TEXT NOT NULL CHECK (status IN ('done', 'failed')),
        error TEXT,
        fingerprint TEXT,
        json_path TEXT,                  -- relative to the catalog's folder
        timings TEXT,                    -- JSON object
        analysed_at TEXT
    );
    CREATE TABLE paths (
        path TEXT PRIMARY KEY,           -- absolute input path as display-safe text
        relative TEXT NOT NULL,          -- relative to the folder the user named
        call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
        last_seen TEXT
    );
    CREATE TABLE outputs (
        call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
        path TEXT NOT NULL,              -- relative to the catalog's folder
        sha256 TEXT NOT NULL,
        PRIMARY KEY (call_id, path)
    );
    CREATE TABLE segments (
        rowid INTEGER PRIMARY KEY,
        call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
        segment_id INTEGER NOT NULL,
        start REAL, "end" REAL, text TEXT NOT NULL, suspect TEXT, channel INTEGER, speaker TEXT, role TEXT,
        UNIQUE (call_id, segment_id)
    );
    CREATE VIRTUAL TABLE segments_fts USING fts5(text, tokenize='trigram');
    CREATE TABLE findings (
        call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        category TEXT NOT NULL, severity TEXT, rule_id TEXT, matched TEXT, quote TEXT,
        explanation TEXT, confidence REAL, segment_id INTEGER, t_start REAL, t_end REAL,
        speaker TEXT, role TEXT,
        PRIMARY KEY (call_id, idx)
    );
    CREATE TABLE amounts (
        call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        value TEXT NOT NULL, value_max TEXT, currency TEXT, approximate INTEGER, quote TEXT,
        segment_id INTEGER, t_start REAL,
        PRIMARY KEY (call_id, idx)
    );
    CREATE TABLE dates (
        call_id INTEGER NOT NULL REFERENCES calls(id) ON DELETE CASCADE,
        idx INTEGER NOT NULL,
        kind TEXT, value TEXT, value_end TEXT, resolved INTEGER, quote TEXT, segment_id INTEGER, t_start REAL,
        PRIMARY KEY (call_id, idx)
    );
    CREATE INDEX findings_category ON findings(category);
    CREATE INDEX calls_number ON calls(number);
    """,
    # 2: which report settings (language, embedded audio, clips) the call's reports were made with
    """
    ALTER TABLE calls ADD COLUMN reports TEXT;
    """,
)
SCHEMA_VERSION = len(MIGRATIONS)


def safe_text(value: str | os.PathLike) -> str:
    """Text that always encodes as UTF-8: undecodable file-name bytes become `\\xNN`."""
    return os.fsencode(value).decode("utf-8", "backslashreplace")


@dataclass(frozen=True)
class CallRow:
    id: int
    sha256: str | None
    status: str
    fingerprint: str | None
    json_path: str | None
    error: str | None


class Catalog:
    """A connection to one catalog; use as a context manager so it is always closed."""

    def __init__(self, path: Path):
        self.path = Path(path)
        self.root = self.path.parent
        self.db = sqlite3.connect(self.path, timeout=30, isolation_level=None)
        self.db.row_factory = sqlite3.Row
        self.db.execute("PRAGMA journal_mode=WAL")
        self.db.execute("PRAGMA synchronous=FULL")
        self.db.execute("PRAGMA foreign_keys=ON")
        self._migrate()

    def _migrate(self) -> None:
        version = self.db.execute("PRAGMA user_version").fetchone()[0]
        if version > SCHEMA_VERSION:
            from .errors import OutputError

            raise OutputError(
                f"{self.path} was written by a newer call-analyzer (schema {version} > {SCHEMA_VERSION}); "
                "upgrade, or use another output folder"
            )
        for number in range(version, SCHEMA_VERSION):
            with self.transaction():
                for statement in _statements(MIGRATIONS[number]):
                    self.db.execute(statement)
                self.db.execute(f"PRAGMA user_version = {number + 1}")

    def transaction(self):
        return _Transaction(self.db)

    def close(self) -> None:
        self.db.close()

    def __enter__(self) -> Catalog:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    # --- reading -------------------------------------------------------------------------

    def call_by_sha(self, sha256: str) -> CallRow | None:
        row = self.db.execute(
            "SELECT id, sha256, status, fingerprint, json_path, error FROM calls WHERE sha256 = ?",
            (sha256,),
        ).fetchone()
        return CallRow(*row) if row else None

    def outputs(self, call_id: int) -> list[tuple[str, str]]:
        return [tuple(r) for r in self.db.execute("SELECT path, sha256 FROM outputs WHERE call_id = ?", (call_id,))]

    def paths(self, call_id: int) -> list[str]:
        return [r[0] for r in self.db.execute("SELECT path FROM paths WHERE call_id = ? ORDER BY path", (call_id,))]

    def analysis_done(self, sha256: str, fingerprint: str) -> bool:
        """Done with these analysis settings, and its JSON is on disk with its recorded hash."""
        row = self.call_by_sha(sha256)
        if row is None or row.status != "done" or row.fingerprint != fingerprint or not row.json_path:
            return False
        return any(path == row.json_path and self._verifies(path, digest) for path, digest in self.outputs(row.id))

    def reports_current(self, sha256: str, reports: str | None) -> bool:
        """Its reports were made with these report settings and every one still verifies."""
        row = self.call_by_sha(sha256)
        if row is None or self.db.execute("SELECT reports FROM calls WHERE id = ?", (row.id,)).fetchone()[0] != reports:
            return False
        return all(self._verifies(path, digest) for path, digest in self.outputs(row.id))

    def _verifies(self, relative: str, digest: str) -> bool:
        from .audio import sha256_file

        try:
            return sha256_file(self.root / relative) == digest
        except OSError:
            return False

    # --- writing -------------------------------------------------------------------------

    def _call_id(self, sha256: str | None, path: str) -> int | None:
        if sha256 is not None:
            row = self.db.execute("SELECT id FROM calls WHERE sha256 = ?", (sha256,)).fetchone()
        else:
            row = self.db.execute(
                "SELECT calls.id FROM calls JOIN paths ON paths.call_id = calls.id "
                "WHERE paths.path = ? AND calls.sha256 IS NULL",
                (path,),
            ).fetchone()
        return row[0] if row else None

    def _upsert_call(self, sha256: str | None, path: str, values: dict) -> int:
        call_id = self._call_id(sha256, path)
        if call_id is None:
            columns = ", ".join(["sha256", *values])
            marks = ", ".join("?" * (len(values) + 1))
            return self.db.execute(
                f"INSERT INTO calls ({columns}) VALUES ({marks})",
                (sha256, *values.values()),
            ).lastrowid
        sets = ", ".join(f"{k} = ?" for k in values)
        self.db.execute(f"UPDATE calls SET {sets} WHERE id = ?", (*values.values(), call_id))
        return call_id

    def _clear_details(self, call_id: int) -> None:
        self.db.execute(
            "DELETE FROM segments_fts WHERE rowid IN (SELECT rowid FROM segments WHERE call_id = ?)",
            (call_id,),
        )
        for table in ("segments", "findings", "amounts", "dates", "outputs"):
            self.db.execute(f"DELETE FROM {table} WHERE call_id = ?", (call_id,))

    def _link_paths(self, call_id: int, paths: Iterable[tuple[str, str]], now: str) -> None:
        for path, relative in paths:
            self.db.execute(
                "INSERT INTO paths (path, relative, call_id, last_seen) VALUES (?, ?, ?, ?) "
                "ON CONFLICT(path) DO UPDATE SET relative = excluded.relative, call_id = excluded.call_id, "
                "last_seen = excluded.last_seen",
                (path, relative, call_id, now),
            )

    def record_done(
        self,
        record: CallRecord,
        *,
        fingerprint: str,
        paths: Iterable[tuple[str, str]],
        outputs: Iterable[Path],
        json_path: Path,
        now: str,
        reports: str | None = None,
    ) -> int:
        """Store a finished call and mark it done, all in one transaction (call after the outputs exist)."""
        from .audio import sha256_file

        hashed = [(self._relative(p), sha256_file(p)) for p in outputs]
        src, call = record.source, record.call
        with self.transaction():
            call_id = self._upsert_call(
                src.sha256,
                "",
                {
                    "size": src.size,
                    "duration_s": src.duration_s,
                    "start_time": call.start_time,
                    "start_time_source": call.start_time_source,
                    "number": call.number,
                    "number_source": call.number_source,
                    "status": "done",
                    "error": None,
                    "fingerprint": fingerprint,
                    "json_path": self._relative(json_path),
                    "timings": json.dumps(record.timings),
                    "analysed_at": record.analysed_at,
                    "reports": reports,
                },
            )
            self._clear_details(call_id)
            self.db.executemany(
                "INSERT INTO outputs (call_id, path, sha256) VALUES (?, ?, ?)",
                [(call_id, p, d) for p, d in hashed],
            )
            self._insert_details(call_id, record)
            self._link_paths(call_id, paths, now)
        return call_id

    def record_failed(
        self,
        sha256: str | None,
        *,
        path: str,
        relative: str,
        error: str,
        size: int | None,
        now: str,
    ) -> None:
        """A file that could not be analysed: a row with its error (kept until it succeeds)."""
        with self.transaction():
            existing = self.call_by_sha(sha256) if sha256 else None
            if existing is not None and existing.status == "done":
                call_id = existing.id  # another copy of this recording already succeeded
            else:
                call_id = self._upsert_call(sha256, path, {"size": size, "status": "failed", "error": error})
                self._clear_details(call_id)
            self._link_paths(call_id, [(path, relative)], now)

    def add_paths(self, sha256: str, paths: Iterable[tuple[str, str]], now: str) -> None:
        """Remember more places the same recording was found (a copy, a move, a rename)."""
        with self.transaction():
            call_id = self._call_id(sha256, "")
            if call_id is not None:
                self._link_paths(call_id, paths, now)

    def _insert_details(self, call_id: int, record: CallRecord) -> None:
        for seg in record.transcript.segments:
            rowid = self.db.execute(
                'INSERT INTO segments (call_id, segment_id, start, "end", text, suspect, channel, speaker, role) '
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                (
                    call_id,
                    seg.id,
                    seg.start,
                    seg.end,
                    seg.text,
                    seg.suspect,
                    seg.channel,
                    seg.speaker,
                    seg.role,
                ),
            ).lastrowid
            self.db.execute(
                "INSERT INTO segments_fts (rowid, text) VALUES (?, ?)",
                (rowid, seg.text),
            )
        self.db.executemany(
            "INSERT INTO findings VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (call_id, i, f.category, f.severity, f.rule_id, f.matched, f.quote, f.explanation, f.confidence,
                 f.segment_id, f.t_start, f.t_end, f.speaker, f.role)
                for i, f in enumerate(record.findings)
            ],
        )  # fmt: skip
        self.db.executemany(
            "INSERT INTO amounts VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (call_id, i, str(a.value), None if a.value_max is None else str(a.value_max), a.currency,
                 int(a.approximate), a.quote, a.segment_id, a.t_start)
                for i, a in enumerate(record.amounts)
            ],
        )  # fmt: skip
        self.db.executemany(
            "INSERT INTO dates VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    call_id,
                    i,
                    d.kind,
                    d.value,
                    d.value_end,
                    int(d.resolved),
                    d.quote,
                    d.segment_id,
                    d.t_start,
                )
                for i, d in enumerate(record.dates)
            ],
        )

    def _relative(self, path: Path) -> str:
        return safe_text(Path(path).resolve().relative_to(self.root.resolve()).as_posix())

    # --- queries ---------------------------------------------------------------------------

    def search(self, words: Iterable[str]) -> list[dict]:
        """Segments of finished calls containing every word (trigram FTS5; LIKE for 1-2 characters)."""
        conditions, params = [], []
        for word in words:
            if len(word) >= FTS_MIN_CHARS:
                conditions.append("s.rowid IN (SELECT rowid FROM segments_fts WHERE segments_fts MATCH ?)")
                params.append('"' + word.replace('"', '""') + '"')
            else:
                conditions.append("s.text LIKE ? ESCAPE '\\'")
                params.append("%" + word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%")
        if not conditions:
            return []
        sql = (
            'SELECT c.sha256, c.start_time, c.number, c.json_path, s.segment_id, s.start, s."end", s.text, '
            "s.speaker, s.role, s.suspect, (SELECT MIN(relative) FROM paths WHERE call_id = c.id) AS file "
            "FROM segments s JOIN calls c ON c.id = s.call_id WHERE c.status = 'done' AND "
            + " AND ".join(conditions)
            + " ORDER BY file, s.segment_id"
        )
        return [dict(r) for r in self.db.execute(sql, params)]

    def findings(
        self,
        *,
        category: str | None = None,
        number: str | None = None,
        since: str | None = None,
    ) -> list[dict]:
        """Flags of finished calls, filtered; `since` compares the call's local start date."""
        sql = (
            "SELECT (SELECT MIN(relative) FROM paths WHERE call_id = c.id) AS file, c.sha256, c.start_time, "
            "c.number, f.category, f.severity, f.t_start, f.t_end, f.quote, f.matched, f.rule_id, f.confidence, "
            "f.speaker, f.role FROM findings f JOIN calls c ON c.id = f.call_id WHERE c.status = 'done'"
        )
        params: list = []
        if category:
            sql += " AND f.category = ?"
            params.append(category)
        if number:
            sql += " AND c.number = ?"
            params.append(number)
        if since:
            sql += " AND c.start_time IS NOT NULL AND substr(c.start_time, 1, 10) >= ?"
            params.append(since)
        sql += " ORDER BY c.start_time, file, f.t_start"
        return [dict(r) for r in self.db.execute(sql, params)]

    def done_calls(self) -> list[sqlite3.Row]:
        return self.db.execute(
            "SELECT c.*, (SELECT MIN(relative) FROM paths WHERE call_id = c.id) AS file FROM calls c "
            "WHERE status = 'done' ORDER BY start_time, file"
        ).fetchall()


class _Transaction:
    """BEGIN IMMEDIATE ... COMMIT, or ROLLBACK on any exception (the connection is in autocommit mode)."""

    def __init__(self, db: sqlite3.Connection):
        self.db = db

    def __enter__(self):
        self.db.execute("BEGIN IMMEDIATE")

    def __exit__(self, exc_type, *_):
        self.db.execute("ROLLBACK" if exc_type else "COMMIT")


def _statements(script: str) -> list[str]:
    """Split a migration into statements (executescript would commit our open transaction)."""
    statements, current = [], ""
    for line in script.splitlines(keepends=True):
        current += line.split("--")[0] if "--" in line else line
        if sqlite3.complete_statement(current):
            statements.append(current.strip())
            current = ""
    return [s for s in statements if s]


def open_catalog(out_dir: Path) -> Catalog:
    return Catalog(Path(out_dir) / CATALOG_NAME)
