"""The writer the kill -9 torture test kills: it changes tasks through the store until killed.

    python -m tests.safety.kill_writer DB LOG SEED

Before each store call it appends an ``intent`` line to LOG (what it is about to
do); once the store returns it appends a ``done`` line with what the store
returned, and fsyncs LOG. So every operation LOG calls done was reported to the
caller as saved, and at most one operation (the last intent) is in doubt. It
prints ``ready`` once the store is open, then writes as fast as it can.
"""

from __future__ import annotations

import itertools
import json
import os
import random
import sys
from typing import Any, TextIO

from store import (
    ConflictError,
    NewTask,
    NothingToUndoError,
    TaskQuery,
    TaskRecord,
    TaskStore,
    open_store,
)

USER = "torture"
# Text a person might type, and text that has broken programs before.
TITLE_PIECES = (
    "Buy oat milk",
    "[bold red]not markup[/]",
    "été ÉTÉ straße",
    "party 🎉 at 8",
    "日本語のタスク",
    "quote \" and ' and `",
    "100% & <b>tag</b>",
    "back\\slash %s {0}",
    "Robert'); DROP TABLE tasks;--",
)
# Stored exactly as given (no blank edges for the store to trim), so the test can
# compare what it finds with what was asked for.
DESCRIPTIONS = (
    "",
    "one line",
    "# Heading\n\n* point one\n* point two",
    ("long notes " * 400).strip(),
    "ünïcödé\nzweite Zeile\n\tindented",
)
# Relative weights of the operations; undo and bulk create less often than the rest.
OPERATIONS = {"create": 30, "create_many": 5, "edit": 20, "toggle": 20, "delete": 10, "undo": 10}


def state(task: TaskRecord) -> list[Any]:
    return [task.id, task.title, task.description, task.completed, task.version]


class Log:
    def __init__(self, stream: TextIO) -> None:
        self.stream = stream

    def intent(self, entry: dict[str, Any]) -> None:
        # Not synced: an intent only matters together with the state it precedes.
        self.stream.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.stream.flush()

    def done(self, entry: dict[str, Any]) -> None:
        self.stream.write(json.dumps(entry, ensure_ascii=False) + "\n")
        self.stream.flush()
        os.fsync(self.stream.fileno())


def run(store: TaskStore, log: Log, rng: random.Random, seed: str) -> None:
    tasks = {task.id: task for task in store.list_tasks(TaskQuery())}
    print("ready", flush=True)
    names, weights = list(OPERATIONS), list(OPERATIONS.values())
    for number in itertools.count():
        operation = rng.choices(names, weights)[0] if tasks else "create"
        title = f"{seed}-{number} {rng.choice(TITLE_PIECES)}"
        description = rng.choice(DESCRIPTIONS)
        target = tasks[rng.choice(sorted(tasks))] if tasks else None
        changed: list[TaskRecord] = []
        removed: list[str] = []
        entry: dict[str, Any] = {"intent": number, "op": operation}
        if operation == "create":
            log.intent({**entry, "titles": [title], "description": description})
            changed = [store.create(title, description)]
        elif operation == "create_many":
            titles = [f"{title} #{n}" for n in range(rng.randint(2, 12))]
            log.intent({**entry, "titles": titles, "description": description})
            changed = store.create_many(NewTask(t, description) for t in titles)
        elif operation == "undo":
            log.intent(entry)
            try:
                result = store.undo()
            except (NothingToUndoError, ConflictError) as refused:
                log.done({"done": number, "refused": str(refused)})
                continue
            if result.task is None:
                removed = [result.task_id]
            else:
                changed = [result.task]
        else:
            assert target is not None
            log.intent({**entry, "id": target.id, "title": title, "description": description})
            if operation == "edit":
                changed = [
                    store.update(
                        target.id,
                        expected_version=target.version,
                        title=title,
                        description=description,
                    )
                ]
            elif operation == "toggle":
                changed = [store.toggle(target.id, expected_version=target.version)]
            else:
                store.delete(target.id, expected_version=target.version)
                removed = [target.id]
        log.done({"done": number, "tasks": [state(t) for t in changed], "removed": removed})
        for task in changed:
            tasks[task.id] = task
        for task_id in removed:
            tasks.pop(task_id, None)


def main(argv: list[str]) -> int:
    database, log_path, seed = argv
    rng = random.Random(seed)
    store = open_store(database, user=USER)
    with open(log_path, "a", encoding="utf-8") as stream:
        run(store, Log(stream), rng, seed)
    return 0  # never reached: the test kills this process


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
