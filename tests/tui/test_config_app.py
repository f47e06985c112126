"""The config file in the app: remapped keys (Footer, help, palette), the theme chosen
in the palette kept across a restart, the list's start and "remember", week start and
time style, and a bad file said in one notification while TaskFlow starts anyway.

Every test builds the app through the real factory with settings read from a real file
(tui.settings.read_file), and checks the database or the file afterwards.
"""

from __future__ import annotations

from datetime import date, time
from pathlib import Path

import pytest

from store import Due, TaskStore
from tests.helpers import FrozenClock
from tests.tui.helpers import AppFactory, current_task, settle, shown_titles, table_lines
from tui.app import TaskFlowApp
from tui.list_state import ViewKind
from tui.screens.help import HelpScreen, key_sections
from tui.screens.task_edit import TaskEditScreen
from tui.settings import read_file

pytestmark = pytest.mark.zone("UTC")


# How messages name the file config() writes: HOME is the test's folder (the app's
# fixtures set it), and a path under it is written as ~/...
SHOWN = "~/config/config.toml"


def config(tmp_path: Path, text: str) -> Path:
    path = tmp_path / "config" / "config.toml"
    path.parent.mkdir(exist_ok=True)
    path.write_text(text)
    return path


def config_notes(app: TaskFlowApp) -> list[str]:
    """What the app said about the config file."""
    return [note.message for note in app._notifications if note.title == "Config file"]


def toasts(app: TaskFlowApp) -> list[str]:
    return [note.message for note in app._notifications]


def footer_keys(app: TaskFlowApp) -> dict[str, str]:
    """Description -> key, as the Footer shows them."""
    return {
        active.binding.description: app.get_key_display(active.binding)
        for active in app.screen.active_bindings.values()
        if active.binding.show
    }


# -- keys -------------------------------------------------------------------------------------


async def test_a_remapped_key_does_the_action_and_the_old_key_no_longer_does(
    tmp_path: Path, app_factory: AppFactory, seed_store: TaskStore
) -> None:
    task = seed_store.create("Buy milk")
    path = config(tmp_path, '[keys]\ntoggle_done = "t"\nundo = "ctrl+z"\n')
    app = app_factory(settings=read_file(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert not config_notes(app)
        await pilot.press("space")
        await settle(pilot)
        assert not seed_store.get(task.id).completed  # space is not toggle_done any more
        await pilot.press("t")
        await settle(pilot)
        assert seed_store.get(task.id).completed
        assert footer_keys(app)["Done"] == "t"
        assert footer_keys(app)["Undo"] == "^z"
        # The toast names the key undo has now.
        assert toasts(app)[-1] == "Marked “Buy milk” done · ^z undoes"
        await pilot.press("u")
        await settle(pilot)
        assert seed_store.get(task.id).completed
        await pilot.press("ctrl+z")
        await settle(pilot)
        assert not seed_store.get(task.id).completed


async def test_several_keys_for_one_action_and_a_symbol(
    tmp_path: Path, app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("Buy milk")
    path = config(tmp_path, '[keys]\nadd = ["+", "ctrl+n"]\nhelp = "f1"\n')
    app = app_factory(settings=read_file(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("a")  # no longer add
        await settle(pilot)
        assert not isinstance(app.screen, TaskEditScreen)
        await pilot.press("plus")
        await settle(pilot)
        assert isinstance(app.screen, TaskEditScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("ctrl+n")
        await settle(pilot)
        assert isinstance(app.screen, TaskEditScreen)
        await pilot.press("escape")
        await settle(pilot)
        await pilot.press("f1")
        await settle(pilot)
        assert isinstance(app.screen, HelpScreen)


async def test_help_and_palette_show_the_remapped_keys(
    tmp_path: Path, app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("Buy milk")
    # move_down is not in the Footer (show=False): the help lists it, with its new key.
    path = config(tmp_path, '[keys]\ntoggle_done = "t"\nmove_down = "ctrl+j"\nsearch = "f"\n')
    settings = read_file(path)
    assert not settings.problems
    app = app_factory(settings=settings)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        rows = {
            description: keys
            for heading, section in key_sections(app.screen).items()
            if heading != "Mouse"
            for keys, description, _ in section
        }
        assert rows["Mark done, or open again"] == "t"
        assert rows["Move down in my order"] == "^j"
        assert rows["Search titles and notes"] == "f"
        commands = {command.title: command.help for command in app.get_system_commands(app.screen)}
        assert commands["Toggle done"].endswith("(t)")
        assert commands["Search"].endswith("(f)")
        assert commands["Add a task"].endswith("(a)")  # not remapped: as it was
        assert commands["View: Today"].endswith("(2)")
        await pilot.press("f")
        await settle(pilot)
        assert app.screen.focused is not None and app.screen.focused.id == "search"


async def test_a_clash_is_said_in_one_line_naming_both_and_the_defaults_stay(
    tmp_path: Path, app_factory: AppFactory, seed_store: TaskStore
) -> None:
    task = seed_store.create("Buy milk")
    path = config(tmp_path, '# mine\n[keys]\ntoggle_done = "d"\n')
    app = app_factory(settings=read_file(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        (note,) = config_notes(app)
        assert note.count("\n") == 0
        assert f"{SHOWN}, line 3: keys.toggle_done" in note
        assert "delete" in note and "the task list" in note
        await pilot.press("space")  # toggle_done kept its default key
        await settle(pilot)
        assert seed_store.get(task.id).completed
        await pilot.press("d")  # and d still asks to delete
        await settle(pilot)
        assert type(app.screen).__name__ == "ConfirmScreen"


async def test_the_empty_list_names_the_keys_as_remapped(
    tmp_path: Path, app_factory: AppFactory
) -> None:
    path = config(tmp_path, '[keys]\nadd = "+"\nhelp = "f1"\n')
    app = app_factory(settings=read_file(path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        hint = str(app.screen.query_one("#empty-hint").render())
        assert "Press + to add your first task, f1 to see every key." in hint
        await pilot.press("plus")
        await settle(pilot)
        await pilot.press(*"First task", "enter")
        await settle(pilot)
        assert shown_titles(app) == ["First task"]


# -- the theme ----------------------------------------------------------------------------------


async def choose_theme(pilot: object, name: str) -> None:
    """Ctrl+P, "Theme", then the theme by name: as a user picks one."""
    from textual.pilot import Pilot

    assert isinstance(pilot, Pilot)
    await pilot.press("ctrl+p")
    await settle(pilot)
    await pilot.press(*"Theme")
    await pilot.pause(0.3)
    await pilot.press("enter")
    await settle(pilot)
    await pilot.press(*name)
    await pilot.pause(0.3)
    await pilot.press("enter")
    await settle(pilot)


async def test_the_theme_chosen_in_the_palette_survives_a_restart_and_keeps_comments(
    tmp_path: Path, app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("Buy milk")
    text = '# My TaskFlow settings\nweek_start = "sunday"  # as at home\n\n[keys]\nadd = "+"\n'
    path = config(tmp_path, text)
    app = app_factory(settings=read_file(path), theme=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "textual-dark"
        await choose_theme(pilot, "gruvbox")
        assert app.theme == "gruvbox"
    # Every line of the user's kept, comments and order too; the theme where it belongs.
    assert path.read_text() == (
        "# My TaskFlow settings\n"
        'week_start = "sunday"  # as at home\n'
        'theme = "gruvbox"\n'
        "\n[keys]\n"
        'add = "+"\n'
    )
    again = app_factory(settings=read_file(path), theme=None)
    async with again.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert again.theme == "gruvbox"


async def test_a_theme_is_not_written_into_a_file_with_an_error(
    tmp_path: Path, app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("Buy milk")
    text = 'theme = "nord"\nweek_start = sunday\n'
    path = config(tmp_path, text)
    settings = read_file(path)
    app = app_factory(settings=settings, theme=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.theme == "nord"  # the good line applies; the bad one is said
        (said,) = config_notes(app)
        assert said.startswith(f"{SHOWN}, line 2: week_start: not valid TOML")
        await choose_theme(pilot, "dracula")
        assert app.theme == "dracula"  # for this session
        notes = config_notes(app)
        assert len(notes) == 2 and "is not kept" in notes[1] and "has an error" in notes[1]
    assert path.read_text() == text


# -- the list as it starts, and as it was left ---------------------------------------------------


def seed_dated(store: TaskStore, clock: FrozenClock) -> None:
    today = clock().date()
    store.create("Due today", due=Due(today, time(17, 30)))
    store.create("No date")
    done = store.create("Done already")
    store.set_completed(done.id, True)


async def test_the_list_starts_on_the_view_sort_and_hide_done_of_the_file(
    tmp_path: Path, app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    seed_dated(seed_store, clock)
    path = config(tmp_path, '[list]\nview = "today"\n')
    app = app_factory(settings=read_file(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.screen.view_kind is ViewKind.TODAY  # type: ignore[attr-defined]
        assert shown_titles(app) == ["Due today"]
    path.write_text('[list]\nsort = "title"\nhide_done = true\n')
    app = app_factory(settings=read_file(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert shown_titles(app) == ["Due today", "No date"]  # by title, done hidden
        assert "sort: title" in str(app.screen.query_one("#status-bar").render())
    assert "[state]" not in path.read_text()  # nothing said "remember": nothing written


async def test_remember_keeps_the_list_as_it_was_left(
    tmp_path: Path, app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    seed_dated(seed_store, clock)
    text = '# keep my list\n[list]\nview = "remember"\nsort = "remember"\nhide_done = "remember"\n'
    path = config(tmp_path, text)
    app = app_factory(settings=read_file(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert shown_titles(app) == ["Due today", "No date", "Done already"]  # defaults
        await pilot.press("s", "s", "s", "h")  # title, done hidden
        await settle(pilot)
        assert shown_titles(app) == ["Due today", "No date"]
    written = read_file(path)
    assert written.path is not None and path.read_text().startswith(text)
    assert (written["state.sort"], written["state.hide_done"]) == ("title", True)
    app = app_factory(settings=written)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert shown_titles(app) == ["Due today", "No date"]
        await pilot.press("3")
        await settle(pilot)
    assert read_file(path)["state.view"] == "upcoming"
    app = app_factory(settings=read_file(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        assert app.screen.view_kind is ViewKind.UPCOMING  # type: ignore[attr-defined]


# -- dates and times -------------------------------------------------------------------------


async def test_week_start_sunday_moves_next_week_in_the_editor(
    tmp_path: Path, app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    # The frozen clock's day is a Friday: next week starts on Sunday or on Monday.
    today = clock().date()
    assert today.weekday() == 4
    for text, first_day in (('week_start = "sunday"\n', 2), ('week_start = "monday"\n', 3)):
        path = config(tmp_path, text)
        app = app_factory(settings=read_file(path))
        async with app.run_test(size=(100, 30)) as pilot:
            await settle(pilot)
            await pilot.press("a", *f"Plan {first_day} next week", "enter")
            await settle(pilot)
            task = current_task(app)
            assert task is not None and task.title == f"Plan {first_day}"
            assert task.due == Due(date.fromordinal(today.toordinal() + first_day))


async def test_twelve_hour_times_and_absolute_dates_in_the_list(
    tmp_path: Path, app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    today = clock().date()
    seed_store.create("Call mum", due=Due(today, time(17, 30)))
    seed_store.create("Dentist", due=Due(date.fromordinal(today.toordinal() + 40)))
    path = config(tmp_path, 'time_format = "12h"\n')
    app = app_factory(settings=read_file(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        lines = table_lines(app)
        assert any("Call mum" in line and "5:30pm" in line for line in lines)
        assert any("Dentist" in line and "in 40d" in line for line in lines)
    path.write_text('dates = "absolute"\n')
    app = app_factory(settings=read_file(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        lines = table_lines(app)
        later = date.fromordinal(today.toordinal() + 40)
        assert any("Dentist" in line and f"{later:%b} {later.day}" in line for line in lines)
        assert any("Call mum" in line and f"{today:%b} {today.day} 17:30" in line for line in lines)


# -- a bad file ----------------------------------------------------------------------------------


async def test_every_problem_of_the_file_is_one_line_and_the_rest_applies(
    tmp_path: Path, app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("Buy milk")
    path = config(
        tmp_path,
        'theme = "solarized-light"\n'
        "them = 1\n"
        "time_format = 12\n"
        '[list]\nview = "tomorrow"\n'
        '[keys]\ntoggle_dne = "t"\nadd = "+"\n',
    )
    app = app_factory(settings=read_file(path), theme=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        (said,) = config_notes(app)
        lines = said.split("\n")
        assert [line.split(": ", 2)[:2] for line in lines] == [
            [f"{SHOWN}, line 2", "them"],
            [f"{SHOWN}, line 3", "time_format"],
            [f"{SHOWN}, line 5", "list.view"],
            [f"{SHOWN}, line 7", "keys.toggle_dne"],
        ]
        assert "did you mean 'theme'?" in lines[0]
        assert "did you mean 'toggle_done'?" in lines[3]
        assert app.theme == "solarized-light"
        assert app.screen.view_kind is ViewKind.ALL  # type: ignore[attr-defined]
        await pilot.press("plus")
        await settle(pilot)
        assert isinstance(app.screen, TaskEditScreen)


@pytest.mark.parametrize(
    ("text", "expected", "theme"),
    [
        (
            'theme = "no-such-theme"\n',
            "line 1: theme: is not one of TaskFlow's themes",
            "textual-dark",
        ),
        ('theme = "nord\n', "line 1: theme: not valid TOML (Illegal character", "textual-dark"),
        # The first line stands; the second, a theme given twice, is left out.
        ('theme = "nord"\ntheme = "dracula"\n', "line 2: theme: not valid TOML (Cannot ", "nord"),
        ("[keys]\nquit = 5\n", "line 2: keys.quit: must be a key", "textual-dark"),
        (
            '[keys]\nquit = "ctrl+"\n',
            "line 2: keys.quit: has 'ctrl+', which is not",
            "textual-dark",
        ),
        (
            '[list]\nhide_done = "yes"\n',
            "line 2: list.hide_done: must be true, false",
            "textual-dark",
        ),
    ],
)
async def test_each_bad_value_is_said_and_the_default_kept(
    tmp_path: Path, app_factory: AppFactory, text: str, expected: str, theme: str
) -> None:
    path = config(tmp_path, text)
    app = app_factory(settings=read_file(path), theme=None)
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        (said,) = config_notes(app)
        assert said.startswith(f"{SHOWN}, ") and expected in said
        assert app.theme == theme
        await pilot.press("q")  # quit kept its key
        await settle(pilot)
    assert app.return_code == 0


def test_the_theme_list_is_textuals() -> None:
    from textual.theme import BUILTIN_THEMES

    from tui.settings import THEMES

    assert set(THEMES) == set(BUILTIN_THEMES)


def test_every_binding_has_an_id_from_the_catalogue() -> None:
    from tui.keymap import _scopes, taskflow_bindings
    from tui.settings import BINDING_IDS

    used = {binding.id for _, classes in _scopes() for binding in taskflow_bindings(classes)}
    assert None not in used
    assert used == set(BINDING_IDS)


def test_no_default_key_clashes() -> None:
    from tui.keymap import find_clashes

    assert find_clashes({}) == []


async def test_two_actions_remapped_onto_one_key_both_keep_their_defaults(
    tmp_path: Path, app_factory: AppFactory, seed_store: TaskStore
) -> None:
    task = seed_store.create("Buy milk")
    path = config(tmp_path, '[keys]\ntoggle_done = "ctrl+t"\ndelete = "ctrl+t"\n')
    app = app_factory(settings=read_file(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        (note,) = config_notes(app)
        assert note == (
            f"{SHOWN}, line 3: keys.delete: 'ctrl+t' is already taken on the task list by "
            "toggle_done; both keep their default keys"
        )
        assert app.keymap == {}
        await pilot.press("ctrl+t")
        await settle(pilot)
        assert not seed_store.get(task.id).completed
        await pilot.press("x")
        await settle(pilot)
        assert seed_store.get(task.id).completed


async def test_a_remap_onto_a_key_another_screen_uses_is_no_clash(
    tmp_path: Path, app_factory: AppFactory, seed_store: TaskStore
) -> None:
    # b is "blocked by" on the list, but the editor has no b: back = "b" on a task's
    # page clashes with blocked_by there, while save = "ctrl+b" in the editor is fine.
    seed_store.create("Buy milk")
    path = config(tmp_path, '[keys]\nsave = "ctrl+b"\nback = "b"\n')
    app = app_factory(settings=read_file(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        (note,) = config_notes(app)
        assert "keys.back: 'b' is already taken on a task's page by blocked_by" in note
        assert app.keymap == {"save": "ctrl+b"}
        await pilot.press("e", "end", *" and bread", "ctrl+b")
        await settle(pilot)
    assert [t.title for t in seed_store.list_tasks()] == ["Buy milk and bread"]


@pytest.mark.parametrize(
    ("week_start", "marked", "plain"),
    [
        ("sunday", "Sun 22 Nov · next week", "Mon 23 Nov"),
        ("monday", "Mon 23 Nov · next week", "Sun 22 Nov"),
    ],
)
async def test_upcoming_marks_where_the_users_week_turns(
    tmp_path: Path,
    app_factory: AppFactory,
    seed_store: TaskStore,
    clock: FrozenClock,
    week_start: str,
    marked: str,
    plain: str,
) -> None:
    assert clock().date() == date(2026, 11, 20)  # a Friday
    seed_store.create("Brunch", due=Due(date(2026, 11, 22)))
    seed_store.create("Standup", due=Due(date(2026, 11, 23), time(9, 0)))
    path = config(tmp_path, f'week_start = "{week_start}"\n[list]\nview = "upcoming"\n')
    app = app_factory(settings=read_file(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        headings = [line.strip() for line in table_lines(app) if "Nov" in line]
        assert any(line.startswith(marked) for line in headings)
        assert any(line.startswith(plain) and "week" not in line for line in headings)


async def test_remapped_keys_keep_their_place_in_the_footer(
    tmp_path: Path, app_factory: AppFactory, seed_store: TaskStore
) -> None:
    seed_store.create("Buy milk")
    plain = app_factory()
    async with plain.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        default_order = list(footer_keys(plain))
    path = config(tmp_path, '[keys]\nadd = "+"\ntoggle_done = "t"\nhelp = "f1"\n')
    app = app_factory(settings=read_file(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        keys = footer_keys(app)
        assert list(keys) == default_order
        assert (keys["Add"], keys["Done"], keys["Keys"]) == ("+", "t", "f1")


async def test_a_dialogs_remapped_answer_shows_on_its_button_and_in_its_footer(
    tmp_path: Path, app_factory: AppFactory, seed_store: TaskStore
) -> None:
    task = seed_store.create("Buy milk")
    path = config(tmp_path, '[keys]\ndialog_yes = "Y"\ndialog_no = "N"\nundo = "ctrl+z"\n')
    app = app_factory(settings=read_file(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("d")
        await settle(pilot)
        dialog = app.screen
        assert type(dialog).__name__ == "ConfirmScreen"
        labels = [str(button.label) for button in dialog.query("Button")]
        assert labels == ["Delete (Y)", "Keep (N)"]
        question = str(dialog.query_one("#question").render())
        assert "You can undo this with ^z." in question
        assert footer_keys(app) == {"Yes": "Y", "No": "N", "Cancel": "esc"}
        await pilot.press("y")  # no longer an answer
        await settle(pilot)
        assert app.screen is dialog
        await pilot.press("Y")
        await settle(pilot)
    assert task.id not in [each.id for each in seed_store.list_tasks()]


async def test_remember_writes_only_what_it_keeps(
    tmp_path: Path, app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    seed_dated(seed_store, clock)
    text = '[list]\nview = "remember"\n'
    path = config(tmp_path, text)
    app = app_factory(settings=read_file(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        await pilot.press("slash", *"milk", "escape", "escape")  # a search is not kept
        await pilot.pause(0.3)
        await settle(pilot)
        assert path.read_text() == text
        await pilot.press("2")
        await settle(pilot)
    assert read_file(path)["state.view"] == "today"


async def test_a_file_that_cannot_be_written_is_said_once(
    tmp_path: Path, app_factory: AppFactory, seed_store: TaskStore, clock: FrozenClock
) -> None:
    seed_dated(seed_store, clock)
    text = '[list]\nview = "remember"\nsort = "remember"\nbad line\n'
    path = config(tmp_path, text)
    app = app_factory(settings=read_file(path))
    async with app.run_test(size=(100, 30)) as pilot:
        await settle(pilot)
        for key in ("2", "1", "s", "3"):
            await pilot.press(key)
            await settle(pilot)
        notes = config_notes(app)
        assert len(notes) == 2  # the bad line at start, then "not kept" once
        assert "is not kept" in notes[1]
    assert path.read_text() == text


async def test_many_problems_make_a_short_notification(
    tmp_path: Path, app_factory: AppFactory, seed_store: TaskStore
) -> None:
    path = config(tmp_path, "".join(f"setting{number} = 1\n" for number in range(9)))
    app = app_factory(settings=read_file(path))
    async with app.run_test(size=(80, 24)) as pilot:
        await settle(pilot)
        (note,) = config_notes(app)
        lines = note.split("\n")
        assert len(lines) == 5
        assert lines[-1] == "…and 5 more: 'taskflow config show'"
