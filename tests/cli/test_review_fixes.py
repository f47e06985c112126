"""Found in the review of the newcomer and safety work: each failed before its fix."""

from __future__ import annotations

import json
from pathlib import Path

from store import TaskStore
from tests.cli.helpers import CLI
from tui.cli import EXIT_FAILURE, EXIT_OK


def test_history_json_after_an_undo_skip(cli: CLI, alice: TaskStore) -> None:
    task = alice.create("Before")
    alice.update(task.id, expected_version=task.version, title="After")
    assert cli("undo", "--skip").code == EXIT_OK
    human = cli("history", task.id[:8])
    assert human.code == EXIT_OK and "undo skipped" in human.out
    result = cli("history", task.id[:8], "--json")
    assert result.code == EXIT_OK, result.err
    assert [event["kind"] for event in json.loads(result.out)] == ["created", "edited"]


def test_commands_that_change_a_named_task_never_create_a_mistyped_database(
    cli: CLI, tmp_path: Path
) -> None:
    typo = tmp_path / "tsks.db"
    for command in (
        ["done", "abc"],
        ["undone", "abc"],
        ["rm", "abc"],
        ["edit", "abc", "-t", "x"],
        ["undo"],
    ):
        result = cli(*command, db=typo)
        assert result.code == EXIT_FAILURE, command
        assert "There is no database at" in result.err
        assert list(tmp_path.iterdir()) == [], command  # nothing created, not even a folder
