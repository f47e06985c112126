"""A second writer that completes a repeating task at an agreed moment: the other side
of the race in test_series_race.

    python -m tests.safety.completer LOCATION

Reads commands from stdin, one a line, and answers each with one line:

``arm ID``            read the task now (as a window shows it): ``armed VERSION``
``go MODE AT``        at the monotonic clock's AT (the same clock in every process
                      here), complete the armed task: MODE ``versioned`` with the
                      version read when armed (the app's toggle), ``plain`` without
                      (the command line's ``done`` reads it inside its write).
                      Answers ``done VERSION``, ``conflict`` or ``error MESSAGE``.
``quit``              close the store and end.
"""

from __future__ import annotations

import sys
import time

from store import ConflictError, StoreError, TaskRecord, open_store


def main(argv: list[str]) -> int:
    (location,) = argv
    armed: TaskRecord | None = None
    with open_store(location, user="alice") as store:
        print("ready", flush=True)
        for line in sys.stdin:
            command, *rest = line.split()
            if command == "quit":
                break
            if command == "arm":
                armed = store.get(rest[0])
                print(f"armed {armed.version}", flush=True)
                continue
            mode, at = rest[0], float(rest[1])
            assert armed is not None
            while time.monotonic() < at:
                pass  # a busy wait: sleep's wake-up is too coarse to race
            try:
                if mode == "versioned":
                    done = store.toggle(armed.id, expected_version=armed.version)
                else:
                    done = store.set_completed(armed.id, True)
            except ConflictError:
                print("conflict", flush=True)
            except StoreError as error:
                print(f"error {error}", flush=True)
            else:
                print(f"done {done.version}", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
