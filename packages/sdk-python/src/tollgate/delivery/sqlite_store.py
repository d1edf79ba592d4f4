"""durable_local: spans are rows of a SQLite file in WAL mode (the schema of @tollgate/sdk's spool).

synchronous=NORMAL: a commit survives a killed process; only an OS crash can lose the last commits.
Batches are leased (owner, pid, expiry) and deleted only after a 2xx; leases of a dead process are
reclaimed by the next process that opens the spool. Node and Python processes can share one file.
"""

from __future__ import annotations

import os
import sqlite3
import time
from pathlib import Path
from typing import Callable, Iterator, Sequence, TypeVar

from .store import Leased

T = TypeVar("T")

# Leases outlive the longest send by far; a dead owner's leases are reclaimed at once.
LEASE_MS = 120_000
SCHEMA_VERSION = 1
# Bound parameters per statement: old SQLite builds allow 999.
_CHUNK = 500

SCHEMA = """
CREATE TABLE IF NOT EXISTS spans (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  key_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  bytes INTEGER NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL DEFAULT 0,
  lease_owner TEXT,
  lease_pid INTEGER,
  lease_until INTEGER
);
CREATE INDEX IF NOT EXISTS spans_ready ON spans (key_id, next_attempt_at, id) WHERE lease_owner IS NULL;
CREATE TABLE IF NOT EXISTS dropped (
  key_id TEXT NOT NULL, reason TEXT NOT NULL, count INTEGER NOT NULL, PRIMARY KEY (key_id, reason)
);
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL);
INSERT OR IGNORE INTO meta (key, value) VALUES ('bytes', (SELECT COALESCE(SUM(bytes), 0) FROM spans));
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
        return True
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    except OSError:
        return False


def _chunks(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    for i in range(0, len(ids), _CHUNK):
        yield ids[i : i + _CHUNK]


def _marks(n: int) -> str:
    return ",".join("?" * n)


class SqliteStore:
    durable = True

    def __init__(self, path: str, key_id: str, owner: str, max_bytes: int, max_age_ms: int) -> None:
        Path(path).parent.mkdir(parents=True, exist_ok=True)
        self._key, self._owner, self._max_bytes, self._max_age_ms = key_id, owner, max_bytes, max_age_ms
        # Autocommit mode: transactions are explicit (BEGIN IMMEDIATE), so no implicit ones linger.
        self.db = sqlite3.connect(path, timeout=1.0, isolation_level=None, check_same_thread=False)
        self.db.execute("PRAGMA journal_mode = WAL")
        self.db.execute("PRAGMA synchronous = NORMAL")
        self.db.executescript(SCHEMA)
        self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        self.maintain(int(time.time() * 1000))

    def _tx(self, fn: Callable[[], T]) -> T:
        """One write transaction; BEGIN IMMEDIATE takes the write lock up front (no upgrade deadlocks)."""
        self.db.execute("BEGIN IMMEDIATE")
        try:
            out = fn()
        except BaseException:
            self.db.execute("ROLLBACK")
            raise
        self.db.execute("COMMIT")
        return out

    def _bump(self, key: str, reason: str, n: int) -> None:
        self.db.execute(
            "INSERT INTO dropped (key_id, reason, count) VALUES (?, ?, ?) "
            "ON CONFLICT (key_id, reason) DO UPDATE SET count = count + excluded.count",
            (key, reason, n),
        )

    def _add_bytes(self, n: int) -> None:
        if n:
            self.db.execute("UPDATE meta SET value = value + ? WHERE key = 'bytes'", (n,))

    def add(self, bodies: Sequence[str], now_ms: int) -> None:
        db = self.db
        sizes = [len(b.encode()) for b in bodies]
        incoming = sum(sizes)

        def run() -> None:
            total = int(db.execute("SELECT value FROM meta WHERE key = 'bytes'").fetchone()[0] or 0)
            # drop_oldest: the newest spans are the most useful ones when the backend comes back.
            while total + incoming > self._max_bytes:
                rows = db.execute(
                    "SELECT id, bytes, key_id FROM spans WHERE lease_owner IS NULL ORDER BY id LIMIT 256"
                ).fetchall()
                if not rows:
                    break
                for rid, size, key in rows:
                    if total + incoming <= self._max_bytes:
                        break
                    db.execute("DELETE FROM spans WHERE id = ?", (rid,))
                    self._bump(key, "spool_full", 1)
                    self._add_bytes(-size)
                    total -= size
            added = 0
            rows_in = []
            for body, size in zip(bodies, sizes):
                if total + size > self._max_bytes:
                    self._bump(self._key, "spool_full", 1)
                    continue
                rows_in.append((self._key, now_ms, size, body))
                total += size
                added += size
            db.executemany("INSERT INTO spans (key_id, created_at, bytes, body) VALUES (?, ?, ?, ?)", rows_in)
            self._add_bytes(added)

        self._tx(run)

    def lease(self, limit: int, now_ms: int) -> list[Leased]:
        db = self.db

        def run() -> list[Leased]:
            rows = db.execute(
                "SELECT id, body, bytes, attempts FROM spans WHERE key_id = ? AND lease_owner IS NULL "
                "AND next_attempt_at <= ? ORDER BY id LIMIT ?",
                (self._key, now_ms, limit),
            ).fetchall()
            until = int(time.time() * 1000) + LEASE_MS
            ids = [r[0] for r in rows]
            for part in _chunks(ids):
                db.execute(
                    f"UPDATE spans SET lease_owner = ?, lease_pid = ?, lease_until = ? WHERE id IN ({_marks(len(part))})",
                    (self._owner, os.getpid(), until, *part),
                )
            return [Leased(r[0], r[1], r[2], r[3]) for r in rows]

        return self._tx(run)

    def _remove(self, ids: Sequence[int]) -> int:
        removed, freed = 0, 0
        for part in _chunks(list(ids)):
            args = (self._owner, *part)
            where = f"lease_owner = ? AND id IN ({_marks(len(part))})"
            row = self.db.execute(f"SELECT COUNT(*), COALESCE(SUM(bytes), 0) FROM spans WHERE {where}", args).fetchone()
            self.db.execute(f"DELETE FROM spans WHERE {where}", args)
            removed += int(row[0])
            freed += int(row[1])
        self._add_bytes(-freed)
        return removed

    def ack(self, ids: Sequence[int]) -> None:
        if ids:
            self._tx(lambda: self._remove(ids))

    def release(self, ids: Sequence[int], retry_at_ms: int) -> None:
        if not ids:
            return

        def run() -> None:
            for part in _chunks(list(ids)):
                self.db.execute(
                    "UPDATE spans SET lease_owner = NULL, lease_pid = NULL, lease_until = NULL, "
                    f"attempts = attempts + 1, next_attempt_at = ? WHERE lease_owner = ? AND id IN ({_marks(len(part))})",
                    (int(retry_at_ms), self._owner, *part),
                )

        self._tx(run)

    def drop(self, ids: Sequence[int], reason: str) -> None:
        if not ids:
            return

        def run() -> None:
            n = self._remove(ids)
            if n:
                self._bump(self._key, reason, n)

        self._tx(run)

    def count(self, reason: str, n: int) -> None:
        if n > 0:
            self._bump(self._key, reason, n)

    def counters(self) -> dict[str, int]:
        try:
            rows = self.db.execute(
                "SELECT reason, count FROM dropped WHERE key_id = ? AND count > 0", (self._key,)
            ).fetchall()
            return {r[0]: int(r[1]) for r in rows}
        except sqlite3.Error:
            return {}  # reporting counters is best effort; a busy database must not fail a send

    def ack_counters(self, reported: dict[str, int]) -> None:
        def run() -> None:
            for reason, n in reported.items():
                self.db.execute(
                    "UPDATE dropped SET count = MAX(0, count - ?) WHERE key_id = ? AND reason = ?",
                    (n, self._key, reason),
                )

        self._tx(run)

    def size(self) -> tuple[int, int]:
        row = self.db.execute("SELECT COUNT(*), (SELECT value FROM meta WHERE key = 'bytes') FROM spans").fetchone()
        return int(row[0]), int(row[1] or 0)

    def next_ready_at(self) -> int | None:
        row = self.db.execute(
            "SELECT MIN(next_attempt_at) FROM spans WHERE key_id = ? AND lease_owner IS NULL", (self._key,)
        ).fetchone()
        return None if row[0] is None else int(row[0])

    def release_leases(self) -> None:
        self.db.execute(
            "UPDATE spans SET lease_owner = NULL, lease_pid = NULL, lease_until = NULL WHERE lease_owner = ?",
            (self._owner,),
        )

    def maintain(self, now_ms: int) -> None:
        """Age cap, and crash recovery: leases of a dead process (or an expired lease) go back to the pool."""
        db = self.db

        def run() -> None:
            cutoff = now_ms - self._max_age_ms
            for key, n in db.execute(
                "SELECT key_id, COUNT(*) FROM spans WHERE created_at < ? AND lease_owner IS NULL GROUP BY key_id",
                (cutoff,),
            ).fetchall():
                self._bump(key, "expired", int(n))
            freed = db.execute(
                "SELECT COALESCE(SUM(bytes), 0) FROM spans WHERE created_at < ? AND lease_owner IS NULL", (cutoff,)
            ).fetchone()[0]
            db.execute("DELETE FROM spans WHERE created_at < ? AND lease_owner IS NULL", (cutoff,))
            self._add_bytes(-int(freed or 0))
            owners = db.execute(
                "SELECT lease_owner, MAX(lease_pid), MIN(lease_until) FROM spans "
                "WHERE lease_owner IS NOT NULL AND lease_owner != ? GROUP BY lease_owner",
                (self._owner,),
            ).fetchall()
            me = os.getpid()
            for owner, pid, until in owners:
                expired = until is None or until < now_ms
                dead = pid is None or (pid != me and not _alive(int(pid)))
                if expired or dead:
                    db.execute(
                        "UPDATE spans SET lease_owner = NULL, lease_pid = NULL, lease_until = NULL "
                        "WHERE lease_owner = ?",
                        (owner,),
                    )

        self._tx(run)

    def close(self) -> None:
        try:
            self.release_leases()
        finally:
            self.db.close()
