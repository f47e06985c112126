"""Projects and parents in CSV and todo.txt: written by export, read back by import."""

from __future__ import annotations

from pathlib import Path

from store import Status, TaskQuery, TaskStore, open_store
from tests.cli.helpers import CLI
from tui.cli import EXIT_OK


def placed(store: TaskStore) -> dict[str, tuple[str | None, str | None]]:
    """Each task's title: its project's path and its parent's title."""
    tasks = store.list_tasks(TaskQuery(status=Status.ALL))
    titles = {t.id: t.title for t in tasks}
    paths = store.project_paths()
    return {t.title: (paths.get(t.project_id or ""), titles.get(t.parent_id or "")) for t in tasks}


def seed(store: TaskStore) -> None:
    store.create_project("Work/Q4 Launch")
    launch = store.create("Launch", project_id=store.project("Work/Q4 Launch").id)
    store.create("Draft", parent_id=launch.id)
    store.create("Paint", project_id=store.create_project("Home").id, tags=["weekend"])
    store.create("Loose")


def test_csv_carries_the_project_and_the_parent(cli: CLI, alice: TaskStore, tmp_path: Path) -> None:
    seed(alice)
    path, copy = tmp_path / "tasks.csv", tmp_path / "copy.db"
    assert cli("export", "-o", str(path)).code == EXIT_OK
    assert cli("import", str(path), db=copy).code == EXIT_OK
    with open_store(copy, user="alice") as restored:
        assert (
            placed(restored)
            == placed(alice)
            == {
                "Launch": ("Work/Q4 Launch", None),
                "Draft": ("Work/Q4 Launch", "Launch"),
                "Paint": ("Home", None),
                "Loose": (None, None),
            }
        )


def test_a_spreadsheet_without_those_columns_leaves_tasks_where_they_are(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    seed(alice)
    path = tmp_path / "sheet.csv"
    rows = [f"{t.id},{t.title} again,2099-01-01T00:00:00Z" for t in alice.list_tasks()]
    path.write_text("id,title,updated_at\n" + "\n".join(rows) + "\n")
    before = placed(alice)
    assert cli("import", str(path)).code == EXIT_OK
    after = {
        title.removesuffix(" again"): (project, parent and parent.removesuffix(" again"))
        for title, (project, parent) in placed(alice).items()
    }
    assert after == before and "Launch again" in placed(alice)


def test_todotxt_carries_the_project_as_a_plus_word_and_tags_as_contexts(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    seed(alice)
    path, copy = tmp_path / "todo.txt", tmp_path / "copy.db"
    assert cli("export", "-o", str(path)).code == EXIT_OK
    lines = path.read_text().splitlines()
    assert lines[0].endswith("Launch +Work/Q4_Launch")  # a todo.txt word has no spaces
    assert lines[2].endswith("Paint +Home @weekend")
    assert cli("import", str(path), db=copy).code == EXIT_OK
    with open_store(copy, user="alice") as restored:
        assert placed(restored) == {
            "Launch": ("Work/Q4_Launch", None),
            "Draft": ("Work/Q4_Launch", None),  # todo.txt has no subtasks
            "Paint": ("Home", None),
            "Loose": (None, None),
        }
        assert [t.tags for t in restored.list_tasks() if t.title == "Paint"] == [("weekend",)]
