"""The importer the bulk-import kill test kills: one big import, stopped at a chosen step.

    python -m tests.safety.bulk_importer DB FILE STEP

Imports FILE (TaskFlow JSON) into DB through the store. A trace hook on the store's
SQLite connection watches the statements the import runs; at the first one that
starts with STEP (say ``CREATE INDEX``: the rebuild after the rows), it prints
``at STEP`` and waits on standard input before the statement runs, so the test can
kill -9 it there. It prints ``imported N`` if the import returns.

The hook reaches into the store's connections (peewee's per-connection hook): fault
injection needs that, and it changes nothing the store does.
"""

from __future__ import annotations

import sqlite3
import sys
from pathlib import Path

from store import open_store
from store.transfer import read_file

USER = "bulk"


def main(database: str, source: str, step: str) -> None:
    tasks = read_file(Path(source)).tasks
    store = open_store(database, user=USER)
    stopped = False

    def watch(statement: str) -> None:
        nonlocal stopped
        if not stopped and statement.lstrip().upper().startswith(step.upper()):
            stopped = True
            print(f"at {step}", flush=True)
            sys.stdin.readline()  # until killed

    database_ = store._backend.db  # each store call opens its connection: hook them all
    add_hooks = database_._add_conn_hooks

    def hooked(connection: sqlite3.Connection) -> None:
        add_hooks(connection)
        connection.set_trace_callback(watch)

    database_._add_conn_hooks = hooked
    if not database_.is_closed():  # opening the store may leave this thread's open
        database_.connection().set_trace_callback(watch)
    outcome = store.import_tasks(tasks)
    print(f"imported {len(outcome.added)}", flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
