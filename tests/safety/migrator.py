"""The program the migration kill test kills: ``taskflow db migrate`` that says where it is.

    python -m tests.safety.migrator DB TARGET_VERSION

Runs the real command-line migration, printing ``migrating`` just before it starts,
``backed-up`` once the backup beside the file is complete, ``applied`` when every
schema step has run (the commit comes next) and ``finished`` when the command has
returned, so that the test can aim its kills at the schema steps themselves.
"""

from __future__ import annotations

import contextlib
import sys
from collections.abc import Iterator
from typing import Any

import store.migrate as runner
from store.database import SqliteBackend
from tui.cli import main as taskflow

USER = "torture"


def main(argv: list[str]) -> int:
    database, target = argv
    make_backup = runner.make_backup

    def announcing_backup(*args: Any, **kwargs: Any) -> Any:
        made = make_backup(*args, **kwargs)
        print("backed-up", flush=True)
        return made

    transaction = SqliteBackend.migration_transaction

    @contextlib.contextmanager
    def announcing_transaction(backend: SqliteBackend) -> Iterator[None]:
        with transaction(backend):
            yield
            print("applied", flush=True)  # every step ran; the commit comes next

    # Each is looked up when it is called, so these take their place.
    runner.make_backup = announcing_backup
    SqliteBackend.migration_transaction = announcing_transaction  # type: ignore[method-assign]
    print("migrating", flush=True)
    code = taskflow(["--db", database, "--user", USER, "db", "migrate", "--to", target])
    print("finished", flush=True)
    return code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
