"""SQLite configured for a web server: two overlapping writes wait instead of failing."""

from __future__ import annotations

import copy
import threading

import pytest
from django.db import OperationalError, connection, connections
from django.db.backends.sqlite3.base import DatabaseWrapper

pytestmark = pytest.mark.skipif(
    connection.vendor != "sqlite", reason="SQLite only: PostgreSQL has row locks"
)


@pytest.fixture(autouse=True)
def _own_databases(django_db_blocker):  # type: ignore[no-untyped-def]
    """These tests open their own database files, never the test database."""
    with django_db_blocker.unblock():
        yield


def _wrapper(path, alias: str, **overrides) -> DatabaseWrapper:  # type: ignore[no-untyped-def]
    params = copy.deepcopy(connections["default"].settings_dict)
    params["NAME"] = str(path)
    params["OPTIONS"].update(overrides)
    return DatabaseWrapper(params, alias=alias)


def _overlapping_writes(path, **overrides) -> list[str]:  # type: ignore[no-untyped-def]
    """A holds the write lock; B starts writing; A commits once B's statement has begun."""
    setup = _wrapper(path, "setup")
    with setup.cursor() as cursor:
        cursor.execute("CREATE TABLE IF NOT EXISTS t (v TEXT)")
    setup.close()
    first = _wrapper(path, "first")
    started = threading.Event()
    outcome: list[str] = []

    def write_second() -> None:
        second = _wrapper(path, "second", **overrides)  # a wrapper belongs to its thread
        second.ensure_connection()
        second.connection.set_trace_callback(lambda sql: started.set())
        try:
            with second.cursor() as cursor:
                second.set_autocommit(False)
                cursor.execute("INSERT INTO t VALUES ('b')")
                second.commit()
            outcome.append("ok")
        except OperationalError as exc:
            outcome.append(str(exc))
        finally:
            second.close()

    first.set_autocommit(False)
    with first.cursor() as cursor:
        cursor.execute("INSERT INTO t VALUES ('a')")  # BEGIN IMMEDIATE: write lock held
        thread = threading.Thread(target=write_second)
        thread.start()
        assert started.wait(timeout=10)
        first.commit()
    first.close()
    thread.join(timeout=30)
    return outcome


def test_settings_open_sqlite_in_wal_with_immediate_transactions(tmp_path):
    wrapper = _wrapper(tmp_path / "wal.sqlite3", "wal")
    with wrapper.cursor() as cursor:
        cursor.execute("PRAGMA journal_mode")
        assert cursor.fetchone()[0] == "wal"
        cursor.execute("PRAGMA busy_timeout")
        assert cursor.fetchone()[0] >= 5000
    assert wrapper.settings_dict["OPTIONS"]["transaction_mode"] == "IMMEDIATE"
    wrapper.close()


def test_two_overlapping_writes_wait_instead_of_failing(tmp_path):
    assert _overlapping_writes(tmp_path / "attente.sqlite3") == ["ok"]


def test_without_a_busy_timeout_the_second_write_fails(tmp_path):
    """The contrast: what every write did before this configuration."""
    outcome = _overlapping_writes(
        tmp_path / "echec.sqlite3", timeout=0, init_command="PRAGMA busy_timeout=0;"
    )
    assert outcome == ["database is locked"]
