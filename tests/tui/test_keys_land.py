"""Keys go where the user meant them: focus after a screen closes, keys typed ahead
in one burst, quitting with an edit or a write in hand, Escape on a dropdown, and
where the cursor lands in the editor. Each checks the database too.

Bursts here are posted to the app all at once, the way a terminal delivers a paste
or a slow SSH link delivers keys; tests/terminal/ does the same in a real terminal.
"""

from __future__ import annotations

import threading

import pytest
from textual import events
from textual.widgets import Input, Select, TextArea

from store import Priority, Status, TaskQuery, TaskStore
from tests.helpers import FrozenClock
from tests.tui.helpers import AppFactory, current_task, settle, shown_titles
from tui.app import TaskFlowApp
from tui.screens.confirm import ConfirmScreen
from tui.screens.help import HelpScreen
from tui.screens.task_edit import TaskEditScreen
from tui.screens.task_list import TaskListScreen

KEY_NAMES = {" ": "space", "/": "slash", "\r": "enter", "#": "number_sign", "?": "question_mark"}


def burst(app: TaskFlowApp, text: str) -> None:
    """Every character of ``text`` reaches the app at once, as a paste or a fast
    link delivers them: none waits for the one before to be handled."""
    for character in text:
        name = KEY_NAMES.get(character, character)
        app.post_message(events.Key(name, "\r" if character == "\r" else character))


def all_titles(store: TaskStore) -> list[str]:
    return [task.title for task in store.list_tasks(TaskQuery(status=Status.ALL))]


# -- focus after a screen or dialog closes ------------------------------------------------------


async def test_on_a_new_database_a_second_a_opens_new_task_again(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a", *"Buy milk", "enter")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, TaskEditScreen)  # not a search for "a"
        await pilot.press(*"Call mum", "enter")
        await settle(pilot)
        list_screen = app.screen
        assert isinstance(list_screen, TaskListScreen)
        assert list_screen.query_one("#search", Input).value == ""
    assert all_titles(seed_store) == ["Buy milk", "Call mum"]


async def test_help_then_escape_then_a_adds_on_an_empty_list(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, TaskEditScreen)
        await pilot.press(*"First", "enter")
        await settle(pilot)
    assert all_titles(seed_store) == ["First"]


async def test_empty_done_view_then_add_then_view_1(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("4")  # Done: empty
        await settle(pilot)
        await pilot.press("a", *"Water plants", "enter")
        await settle(pilot)
        await pilot.press("1")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TaskListScreen)
        assert screen.view_kind.value == "all"  # "1" switched views, not typed into search
        assert shown_titles(app) == ["Water plants"]
    assert all_titles(seed_store) == ["Water plants"]


async def test_a_search_with_no_match_then_a_dialog_keeps_keys_on_the_list(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("Buy milk")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"zzz", "enter")  # 0 matches; Enter leaves the box
        await settle(pilot)
        await pilot.press("question_mark")
        await settle(pilot)
        await pilot.press("escape")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TaskListScreen)
        await pilot.press("a")
        await settle(pilot)
        assert isinstance(app.screen, TaskEditScreen)
        assert screen.query_one("#search", Input).value == "zzz"  # untouched by the "a"


# -- keys in one burst ------------------------------------------------------------------------


async def test_a_burst_after_slash_is_all_search_text(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    task = seed_store.create("Buy milk")
    seed_store.create("xmas presents")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        burst(app, "/xmas")
        await settle(pilot)
        screen = app.screen
        assert isinstance(screen, TaskListScreen)  # "a" did not open New task
        assert screen.query_one("#search", Input).value == "xmas"
        await pilot.pause(0.2)  # the search's debounce
        await settle(pilot)
        assert shown_titles(app) == ["xmas presents"]
    assert not seed_store.get(task.id).completed  # "x" did not mark anything done


async def test_a_burst_after_a_lands_in_the_new_title_and_enter_saves_it(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        burst(app, "aBuy milk tomorrow\r")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
    (task,) = seed_store.list_tasks()
    assert task.title == "Buy milk" and task.due is not None


@pytest.mark.parametrize("second", [" ", "x"])
async def test_a_key_right_after_the_first_task_is_saved_acts_on_that_task(
    app_factory: AppFactory, seed_store: TaskStore, second: str
) -> None:
    # The newcomer's first minute: a, a title, Enter, and at once Space to mark it done.
    # The key must wait until the new task is under the cursor, not find an empty list.
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        burst(app, f"aBuy milk\r{second}")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
    (task,) = seed_store.list_tasks(TaskQuery(status=Status.ALL))
    assert task.title == "Buy milk" and task.completed


async def test_two_tasks_pasted_in_one_burst_are_two_tasks(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        # The second "a" arrives while the first task is still being saved: it waits
        # for the list, and opens the next New task.
        burst(app, "aCall mum\raWater plants\r")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
    assert all_titles(seed_store) == ["Call mum", "Water plants"]


async def test_a_burst_after_e_is_appended_to_the_title(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    task = seed_store.create("Buy milk")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        burst(app, "e and eggs\r")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
    assert seed_store.get(task.id).title == "Buy milk and eggs"


async def test_d_then_y_in_one_burst_deletes_after_asking(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("Old note")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        burst(app, "dy")
        await settle(pilot)
        assert isinstance(app.screen, TaskListScreen)
    assert all_titles(seed_store) == []


async def test_keys_typed_before_the_app_is_ready_are_not_lost(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        burst(app, "aEarly bird\r")  # before anything has settled
        await settle(pilot)
    assert all_titles(seed_store) == ["Early bird"]


# -- quitting -----------------------------------------------------------------------------


async def test_ctrl_q_in_the_editor_asks_before_losing_the_edit(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    task = seed_store.create("Buy milk")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e", *" and eggs")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
        assert isinstance(app.screen, ConfirmScreen)  # asked, as Escape does
        await pilot.press("n")  # keep editing
        await settle(pilot)
        editor = app.screen
        assert isinstance(editor, TaskEditScreen)
        assert editor.title_value == "Buy milk and eggs"
        await pilot.press("ctrl+q")
        await settle(pilot)
        await pilot.press("y")  # discard and quit
        await settle(pilot)
    assert app.return_code == 0
    assert seed_store.get(task.id).title == "Buy milk"


async def test_ctrl_q_in_an_unchanged_editor_quits_at_once(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("Buy milk")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        await pilot.press("ctrl+q")
        await settle(pilot)
    assert app.return_code == 0


async def test_quitting_with_a_slow_write_on_its_way_waits_for_it(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    """However long the write takes (a busy server): quitting used to give up after
    five seconds and lose it."""
    app = app_factory()
    released = threading.Event()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)

        def slow_add(store: TaskStore) -> object:
            released.wait(timeout=30)
            return store.create("saved before quitting")

        app.run_write(slow_add, lambda _: None)
        await pilot.press("q")
        await pilot.pause(5.5)  # longer than quitting waited before
        assert app.return_code is None  # not quit yet: still waiting for the write
        assert any("Saving your last change" in str(n.message) for n in app._notifications)
        released.set()
        await app.workers.wait_for_complete()
        await pilot.pause(0.2)
    assert app.return_code == 0
    assert all_titles(seed_store) == ["saved before quitting"]


# -- the editor's fields ------------------------------------------------------------------


async def test_escape_on_an_open_priority_dropdown_closes_only_the_dropdown(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    task = seed_store.create("Buy milk")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        editor = app.screen
        select = editor.query_one("#priority", Select)
        editor.set_focus(select)
        await pilot.press("enter")  # open the dropdown
        await settle(pilot)
        assert select.expanded
        await pilot.press("escape")
        await settle(pilot)
        assert app.screen is editor and not select.expanded
        await pilot.press("enter", "down", "enter")  # the editor still works: pick low
        await settle(pilot)
        await pilot.press("ctrl+s")
        await settle(pilot)
    assert seed_store.get(task.id).priority is Priority.LOW


async def test_the_editor_opens_with_the_cursor_at_the_end_of_the_title(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    task = seed_store.create("Buy milk")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        title = app.screen.query_one("#title", Input)
        assert title.cursor_position == len("Buy milk")
        assert title.selection.is_empty  # typing does not replace the title
        await pilot.press(*" now", "ctrl+s")
        await settle(pilot)
    assert seed_store.get(task.id).title == "Buy milk now"


async def test_tab_from_the_notes_to_the_title_never_selects_it(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    task = seed_store.create("Buy milk")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        editor = app.screen
        editor.set_focus(editor.query_one("#description", TextArea))
        await pilot.press(*"oat", "tab")  # Tab in Notes moves on, around to the title
        await settle(pilot)
        title = editor.query_one("#title", Input)
        assert app.focused is title
        assert title.selection.is_empty
        await pilot.press(*"!", "ctrl+s")
        await settle(pilot)
    saved = seed_store.get(task.id)
    assert (saved.title, saved.description) == ("Buy milk!", "oat")


async def test_an_untouched_title_is_not_read_again_for_dates(
    app_factory: AppFactory, seed_store: TaskStore
) -> None:
    # Quoted when it was added, so "Friday" is part of the title, not a due date.
    task = seed_store.create("Read Friday by Defoe")
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e")
        await settle(pilot)
        app.screen.query_one("#description", TextArea).text = "a novel"
        await pilot.press("ctrl+s")
        await settle(pilot)
    saved = seed_store.get(task.id)
    assert (saved.title, saved.due, saved.description) == ("Read Friday by Defoe", None, "a novel")


@pytest.mark.parametrize(
    ("title", "typed", "saved"),
    [
        ("Buy #1 fan mug", " now", "Buy #1 fan mug now"),
        ("Write friday column", " draft", "Write friday column draft"),
        ("Pay !high rent", "!", "Pay !high rent!"),
    ],
)
async def test_editing_a_title_keeps_the_words_quick_add_would_take(
    app_factory: AppFactory, seed_store: TaskStore, title: str, typed: str, saved: str
) -> None:
    """Added as literal words (a backslash or an import), they must stay words when
    another word of the title is edited: the field shows them with their backslash."""
    task = seed_store.create(title)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("e", *typed, "ctrl+s")
        await settle(pilot)
    stored = seed_store.get(task.id)
    assert (stored.title, stored.due, stored.tags, stored.priority) == (
        saved,
        None,
        (),
        Priority.NONE,
    )


# -- the cursor after h ---------------------------------------------------------------------


async def test_h_on_a_done_task_moves_to_the_nearest_shown_task(
    app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    titles = ["done 1", "open A", "done 2", "open B", "open C"]
    for title in titles:
        task = seed_store.create(title)
        if title.startswith("done"):
            seed_store.toggle(task.id)
        clock.advance(minutes=1)
    app = app_factory()
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("j", "j")  # on "done 2"
        assert current_task(app).title == "done 2"  # type: ignore[union-attr]
        await pilot.press("h")
        await settle(pilot)
        assert shown_titles(app) == ["open A", "open B", "open C"]
        assert current_task(app).title == "open B"  # type: ignore[union-attr]
