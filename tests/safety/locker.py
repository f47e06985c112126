"""Another program holding the database: a reader in a long transaction, or a writer that
keeps it locked. For the concurrency and bad-file tests.

    python -m tests.safety.locker DB MODE

MODE ``read``: begin a read transaction and print the task count seen (``count N``),
then ``holding``; on a line from stdin print the count again (the same snapshot),
end the transaction, print the count now and exit.
MODE ``exclusive``: ``BEGIN EXCLUSIVE`` and change a row without committing, print
``holding``, and roll back on a line from stdin.
MODE ``exclusive-lock``: the same with ``PRAGMA locking_mode = EXCLUSIVE``, which in
WAL mode keeps even readers out.
"""

from __future__ import annotations

import sqlite3
import sys


def count(connection: sqlite3.Connection) -> int:
    return int(connection.execute("SELECT count(*) FROM tasks").fetchone()[0])


def main(argv: list[str]) -> int:
    database, mode = argv
    connection = sqlite3.connect(database, isolation_level=None, timeout=30)
    if mode == "read":
        connection.execute("BEGIN")
        print(f"count {count(connection)}", flush=True)
        print("holding", flush=True)
        sys.stdin.readline()
        print(f"count {count(connection)}", flush=True)
        connection.execute("COMMIT")
        print(f"count {count(connection)}", flush=True)
    else:
        if mode == "exclusive-lock":
            connection.execute("PRAGMA locking_mode = EXCLUSIVE")
        connection.execute("BEGIN EXCLUSIVE")
        connection.execute("UPDATE tasks SET title = title || ' (being changed)'")
        print("holding", flush=True)
        sys.stdin.readline()
        connection.execute("ROLLBACK")
    connection.close()
    print("released", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
