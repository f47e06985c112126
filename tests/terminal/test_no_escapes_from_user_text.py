"""No control character from user text ever reaches the terminal from the app.

A title that came in before validation (an old database, an import of history)
may hold an OSC 52 clipboard write or an OSC 8 link. The app must show such text,
never send it: in the list, the toast after a toggle, the task's page, the editor,
the palette and the search box. The bytes the app writes are recorded with
``tmux pipe-pane`` and searched for the raw sequences.
"""

from __future__ import annotations

import sqlite3

from store import open_store
from tests.terminal.helpers import Terminal

CLIPBOARD_WRITE = "\x1b]52;c;aGFja2Vk\x07"  # OSC 52: "hacked" onto the clipboard
LINK = "\x1b]8;;file:///etc/passwd\x1b\\click\x1b]8;;\x1b\\"  # OSC 8
HOSTILE_TITLE = f"Pay rent {CLIPBOARD_WRITE} now {LINK}"


def _plant(terminal: Terminal) -> None:
    """A task as the store would never write it today, as an older file may hold it."""
    with open_store(terminal.database, user="alice") as store:
        task = store.create("Pay rent placeholder", "notes")
        store.create("Another task")
    with sqlite3.connect(terminal.database) as connection:
        connection.execute(
            "UPDATE tasks SET title = ?, description = ? WHERE id = ?",
            (HOSTILE_TITLE, "notes " + CLIPBOARD_WRITE, task.id),
        )


def test_hostile_text_is_shown_never_sent(terminal: Terminal) -> None:
    _plant(terminal)
    recorded = terminal.folder / "output.bin"
    terminal.start()
    terminal.record_output(recorded)
    terminal.wait_for("Another task")
    terminal.press("Space")  # toggle: the toast quotes the title
    terminal.wait_for("Marked")
    terminal.press("Enter")  # the task's page: title, notes, history
    terminal.wait_for("History")
    terminal.press("e")  # the editor: heading, title field, preview
    terminal.wait_for("Edit task")
    terminal.press("Escape")
    terminal.wait_until_gone("Edit task")
    terminal.press("Escape")
    terminal.wait_until_gone("History")
    terminal.press("C-p")  # the palette finds it by title
    terminal.type_burst("Pay rent")
    terminal.wait_for("Go to this task")
    terminal.press("Escape")
    terminal.press("q")
    terminal.wait_for_exit()
    written = recorded.read_bytes()
    assert "␛]52;c;aGFja2Vk".encode() in written  # it was drawn, as a picture
    assert b"\x1b]52;" not in written  # and never sent
    assert b"file:///etc/passwd\x1b" not in written
    assert b"\x1b]8;;file:" not in written
