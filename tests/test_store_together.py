"""Group commit: store steps run in one transaction, each in a savepoint of its own, so a batch commits once and
a step that fails loses itself alone; a database another process holds makes the whole batch wait, and a failure
that ends the whole transaction has every step run again alone. A real SQLite file, two connections."""
from __future__ import annotations

import sqlite3
import threading
import time

from storage.db import open_db, store_together


def _table(db) -> None:
    db.execute("create table if not exists notes (n integer primary key, text text)")


def _write(db, n: int):
    def step() -> int:
        db.execute("insert into notes (n, text) values (?, ?)", [n, f"note {n}"])
        return n
    return step


def _stored(path) -> list[int]:
    reader = sqlite3.connect(path)
    try:
        return [row[0] for row in reader.execute("select n from notes order by n")]
    finally:
        reader.close()


def test_a_batch_commits_once_and_a_failing_step_loses_itself_alone(tmp_path):
    path = tmp_path / "pw.db"
    db = open_db(path)
    _table(db)
    seen_by_another = []

    def half_then_fail() -> None:
        db.execute("insert into notes (n, text) values (2, 'half')")
        raise ValueError("broken page")

    def look() -> int:  # another connection sees nothing of the batch before its commit
        seen_by_another.append(_stored(path))
        return 4

    results = store_together(db, [_write(db, 1), half_then_fail, _write(db, 3), look, _write(db, 1)], wait=5)
    assert results[0] == 1 and results[2] == 3 and results[3] == 4
    assert isinstance(results[1], ValueError)
    assert isinstance(results[4], sqlite3.IntegrityError)  # the same key twice: the second fails alone
    assert seen_by_another == [[]]
    assert _stored(path) == [1, 3]


def test_a_batch_waits_out_a_database_another_process_holds(tmp_path):
    path = tmp_path / "pw.db"
    db = open_db(path)
    _table(db)
    db.execute("PRAGMA busy_timeout = 100")
    holding = threading.Event()

    def hold() -> None:  # another writer keeps the write lock for a second
        other = sqlite3.connect(path, isolation_level=None)
        other.execute("BEGIN IMMEDIATE")
        holding.set()
        time.sleep(1.0)
        other.execute("COMMIT")
        other.close()

    holder = threading.Thread(target=hold)
    holder.start()
    holding.wait()
    started = time.monotonic()
    try:
        results = store_together(db, [_write(db, n) for n in range(1, 6)], wait=20)
    finally:
        holder.join()
    assert results == [1, 2, 3, 4, 5] and _stored(path) == [1, 2, 3, 4, 5]
    assert time.monotonic() - started >= 0.9


def test_a_failure_that_ends_the_whole_transaction_has_each_step_run_again_alone(tmp_path):
    path = tmp_path / "pw.db"
    db = open_db(path)
    _table(db)

    def end_everything() -> None:  # what SQLite does on a few errors (a full disk, RAISE(ROLLBACK))
        db.conn.execute("ROLLBACK")
        raise sqlite3.OperationalError("database or disk is full")

    results = store_together(db, [_write(db, 1), end_everything, _write(db, 3)], wait=5)
    assert results[0] == 1 and results[2] == 3 and isinstance(results[1], sqlite3.Error)
    assert _stored(path) == [1, 3]
