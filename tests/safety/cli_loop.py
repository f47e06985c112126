"""A command-line user for the concurrency test: taskflow commands in a loop on one file.

    python -m tests.safety.cli_loop DB USER ROUNDS SEED

Each command runs through ``tui.cli.main``, as the ``taskflow`` script would, and
prints one JSON line: its arguments, exit status, standard output and error. The
program prints ``finished`` after the last round.
"""

from __future__ import annotations

import contextlib
import io
import json
import random
import sys

from tui.cli import main as taskflow


def run(database: str, user: str, *args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = taskflow(["--db", database, "--user", user, *args])
    result = {"args": list(args), "code": code, "out": out.getvalue(), "err": err.getvalue()}
    print(json.dumps(result, ensure_ascii=False), flush=True)
    return code, out.getvalue(), err.getvalue()


def main(argv: list[str]) -> int:
    database, user, rounds, seed = argv
    rng = random.Random(seed)
    for number in range(int(rounds)):
        code, out, _ = run(database, user, "list", "--all", "--json")
        # The oldest few tasks, where the windows' cursors start: the most contention.
        ids = [task["id"] for task in json.loads(out)][:6] if code == 0 else []
        if number % 3 == 0 or not ids:
            run(database, user, "add", f"from the command line {seed}-{number}", "--json")
        if ids:
            target = rng.choice(ids)
            command = rng.choice(["edit", "edit", "edit", "done", "undone", "rm", "show", "undo"])
            if command == "edit":
                run(database, user, "edit", target, "-t", f"edited by the CLI {number}", "--json")
            elif command == "undo":
                run(database, user, "undo", "--json")
            else:
                run(database, user, command, target, "--json")
        if number % 5 == 0:
            run(database, user, "export", "--events")  # a long read, from one snapshot
    print("finished", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
