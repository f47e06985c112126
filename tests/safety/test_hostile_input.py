"""Hostile input, generated: arbitrary unicode, control characters, markup-like text, huge
sizes, in titles, descriptions, tags, searches and import files.

Nothing may crash; what is stored reads back exactly (after the documented trimming)
or is refused with a validation error; and a refusal leaves nothing behind, not
even part of a change. Each test runs a few dozen examples in the normal suite and
many more in the long run (TASKFLOW_LONG_TESTS=1).
"""

from __future__ import annotations

import asyncio
import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from rich.cells import cell_len

from store import (
    FileFormatError,
    StoreError,
    TaskQuery,
    TaskStore,
    ValidationError,
    open_store,
    transfer,
)
from tests.safety.apps import Heard, back_to_the_list, run_cli, window
from tests.safety.helpers import sizes
from tests.safety.inspect_db import connected, consistency_problems, integrity
from tests.safety.processes import REPO
from tests.tui.helpers import settle, table_lines, table_of
from tui.formatting import single_line, visible
from tui.screens.task_edit import TaskEditScreen

USER = "alice"
# Text that has broken programs before: terminal escapes, Rich and HTML markup, format
# strings, SQL and FTS5 query syntax, LIKE wildcards, bidi overrides, zero-width and
# combining characters, emoji sequences, line and paragraph separators, NUL, lone
# surrogates, a byte-order mark.
PIECES = (
    "[bold red]",
    "[/]",
    "[link=file:///etc/passwd]x[/link]",
    "\x1b[31m",
    "\x1b]8;;https://example.invalid\x1b\\",
    "<script>alert(1)</script>",
    "%s%n%(x)s",
    "{0}{}",
    "'; DROP TABLE tasks; --",
    '"',
    "''",
    "\\",
    "%",
    "_",
    "*",
    "NEAR(",
    " AND ",
    " OR ",
    " NOT ",
    "^",
    "title:",
    "\u202e",
    "\u200b",
    "\u200d",
    "\ufeff",
    "e\u0301",
    "👩‍👩‍👧‍👦",
    "🎉",
    "日本語",
    "ﷺ",
    "\U0001d54f",  # MATHEMATICAL DOUBLE-STRUCK CAPITAL X
    "İ",
    "ß",
    "ǅ",
    "\u2028",
    "\x85",
    "\x00",
    "\x7f",
    "\t",
    "\n",
    "\r\n",
    "\r",
    "\ud800",
    " ",
    "  ",
)

any_character = st.characters(exclude_categories=())  # every code point, surrogates too
hostile_text = st.lists(
    st.one_of(st.sampled_from(PIECES), st.text(any_character, max_size=12)), max_size=24
).map("".join)
# Long texts: a hostile chunk repeated to tens or hundreds of thousands of characters,
# about the limits (500 for a title, 100,000 for a description) and far past them.
huge_text = st.builds(
    lambda chunk, times: chunk * times,
    hostile_text.filter(lambda text: len(text) > 0),
    st.sampled_from([40, 499, 2_000, 20_000]),
)
any_text = st.one_of(hostile_text, hostile_text, huge_text)


def check_settings(examples: int) -> settings:
    # No deadline: the machine is shared, and a test must not judge speed.
    return settings(
        max_examples=examples,
        deadline=None,
        database=None,
        print_blob=True,
        suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
    )


def trimmed_description(text: str) -> str:
    """The documented trimming: line endings become newlines, blank edges go, indentation
    at the start stays."""
    return text.replace("\r\n", "\n").replace("\r", "\n").strip("\n").rstrip()


def state(store: TaskStore) -> tuple[int, int]:
    """What a refused change must leave as it was: the tasks and the log."""
    return store.count(), store.last_event_id()


@pytest.mark.parametrize("examples", sizes(60, 1500))
def test_titles_descriptions_and_tags_read_back_exactly_or_are_refused_whole(
    tmp_path: Path, examples: int
) -> None:
    path = tmp_path / "tasks.db"
    kept: dict[str, tuple[str, str, tuple[str, ...]]] = {}
    refusals = 0
    with open_store(path, user=USER) as store:

        @check_settings(examples)
        @given(
            title=any_text,
            description=any_text,
            tags=st.lists(hostile_text, max_size=3),
            new_title=any_text,
        )
        def check(title: str, description: str, tags: list[str], new_title: str) -> None:
            nonlocal refusals
            before = state(store)
            try:
                created = store.create(title, description, tags=tags)
            except ValidationError as refused:
                refusals += 1
                assert "\n" not in str(refused)
                assert state(store) == before
                return
            assert created.title == title.strip()
            assert created.description == trimmed_description(description)
            assert store.get(created.id) == created
            kept[created.id] = (created.title, created.description, created.tags)

            before = state(store)
            try:
                edited = store.update(created.id, expected_version=created.version, title=new_title)
            except ValidationError as refused:
                refusals += 1
                assert "\n" not in str(refused)
                assert state(store) == before
                assert store.get(created.id) == created
                return
            assert edited.title == new_title.strip()
            assert store.get(created.id) == edited
            kept[created.id] = (edited.title, edited.description, edited.tags)

        check()
    # A fresh connection reads every accepted text back exactly.
    with open_store(path, user=USER) as store:
        stored = {t.id: (t.title, t.description, t.tags) for t in store.list_tasks(TaskQuery())}
    assert stored == kept
    assert refusals > 0 and kept, "the examples must include both kinds"
    with connected(path) as connection:
        assert integrity(connection) == "ok"
        assert consistency_problems(connection, USER) == []


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A file of tasks whose titles and notes are made of the hostile pieces."""
    path = tmp_path_factory.mktemp("search") / "tasks.db"
    words = ("milk", "Straße", "ÉTÉ", "naïve", "x" * 3, "100%", "a_b", 'say "hi"', "日本語")
    with open_store(path, user=USER) as store:
        for number, piece in enumerate(PIECES):
            word = words[number % len(words)]
            title = f"{word}{piece}{number}".replace("\n", " ").replace("\r", " ")
            try:
                task = store.create(title, f"notes {piece} {word.upper()}")
            except ValidationError:
                task = store.create(f"{word} {number}", f"notes {word.upper()}")
            if number % 3 == 0:
                store.toggle(task.id)
    return path


@pytest.mark.parametrize("examples", sizes(80, 3000))
def test_a_search_finds_exactly_what_its_rule_says(corpus: Path, examples: int) -> None:
    """Whatever is typed into search, the store answers without failing, and lists exactly
    the tasks TaskQuery.matches accepts (the rule the README states), in order."""
    with open_store(corpus, user=USER, read_only=True) as store:
        everything = store.list_tasks(TaskQuery())
        texts = [t.title for t in everything] + [t.description for t in everything]
        fragments = st.builds(
            lambda text, start, length: text[start : start + length],
            st.sampled_from(texts),
            st.integers(0, 12),
            st.integers(1, 8),
        )

        @check_settings(examples)
        @example(search="\x00")  # once listed every task
        @example(search="milk\x00x")  # once failed as an unterminated string
        @example(search="\ud800")  # once a UnicodeEncodeError
        @example(search="100%")
        @example(search="a_b")
        @given(search=st.one_of(hostile_text, fragments, fragments.map(str.upper)))
        def check(search: str) -> None:
            query = TaskQuery(search=search)
            try:
                found = [task.id for task in store.list_tasks(query)]
            except ValidationError as refused:
                # Only what is no text at all may be refused: an unpaired surrogate.
                assert any(0xD800 <= ord(ch) <= 0xDFFF for ch in search), refused
                assert "\n" not in str(refused)
                return
            assert found == [task.id for task in everything if query.matches(task)]
            assert store.count(query) == len(found)

        check()


FORMATS = [None, *transfer.Format]


@pytest.mark.parametrize("examples", sizes(150, 5000))
def test_any_bytes_as_an_import_file_parse_or_are_refused_with_one_line(examples: int) -> None:
    """The parser on arbitrary bytes, and on near-misses of each format: a file is read or
    refused with FileFormatError (or ValidationError); no other exception escapes."""
    near_json = st.recursive(
        st.one_of(st.none(), st.booleans(), st.integers(), hostile_text),
        lambda inner: st.one_of(
            st.lists(inner, max_size=4), st.dictionaries(hostile_text, inner, max_size=4)
        ),
        max_leaves=12,
    ).map(lambda value: json.dumps(value, ensure_ascii=False))
    taskflowish = st.builds(
        lambda tasks: json.dumps({"format": "taskflow", "format_version": 1, "tasks": tasks}),
        st.lists(st.dictionaries(st.sampled_from(_JSON_FIELDS), _json_values, max_size=8)),
    )
    data = st.one_of(
        st.binary(max_size=2000),
        hostile_text.map(lambda t: t.encode("utf-8", "surrogatepass")),
        near_json.map(lambda t: t.encode("utf-8", "surrogatepass")),
        taskflowish.map(lambda t: t.encode("utf-8", "surrogatepass")),
    )

    @check_settings(examples)
    @given(data=data, fmt=st.sampled_from(FORMATS))
    def check(data: bytes, fmt: transfer.Format | None) -> None:
        try:
            transfer.parse_bytes(data, fmt, name="hostile.file")
        except (FileFormatError, ValidationError) as refused:
            assert "\n" not in str(refused), str(refused)

    check()


_JSON_FIELDS = (
    "id",
    "title",
    "description",
    "completed",
    "created_at",
    "updated_at",
    "version",
    "events",
)
_json_values = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(-2, 2**63),
    st.floats(allow_nan=True),
    any_text,
    st.sampled_from(["2026-11-20T09:30:00.000000Z", "2026-02-30T00:00:00Z", "yesterday"]),
    st.uuids().map(str),
    st.lists(st.none(), max_size=2),
)


def import_file_task() -> Any:
    return st.fixed_dictionaries(
        {"title": any_text, "description": any_text, "completed": st.booleans()},
        optional={"id": st.uuids().map(str)},
    )


def as_file(fmt: str, tasks: list[dict[str, Any]]) -> str:
    if fmt == "json":
        return json.dumps(
            {"format": "taskflow", "format_version": 1, "tasks": tasks}, ensure_ascii=False
        )
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["title", "description", "completed"])
        for task in tasks:
            writer.writerow([task["title"], task["description"], task["completed"]])
        return out.getvalue()
    return "".join(
        f"{'x ' if task['completed'] else ''}{task['title']}\n" for task in tasks
    )  # todo.txt


@pytest.mark.parametrize("examples", sizes(40, 800))
def test_an_import_file_of_hostile_tasks_is_imported_exactly_or_refused_whole(
    tmp_path: Path, examples: int
) -> None:
    """Through ``taskflow import``: either each task of the file is there afterwards with
    its text exactly as in the file (trimmed as documented), or the command says why in
    one line and the database is as it was."""
    path = tmp_path / "tasks.db"
    upload = tmp_path / "upload"
    with open_store(path, user=USER) as store:
        store.create("already here")
    counts = {"imported": 0, "refused": 0}

    @check_settings(examples)
    @given(
        fmt=st.sampled_from(["json", "csv", "todotxt"]),
        tasks=st.lists(import_file_task(), min_size=1, max_size=5),
    )
    def check(fmt: str, tasks: list[dict[str, Any]]) -> None:
        for number, task in enumerate(tasks):  # a mark to find each one again by
            task["title"] = f"{task['title']} ·{number}"
        upload.write_text(as_file(fmt, tasks), encoding="utf-8", errors="surrogatepass")
        with open_store(path, user=USER) as store:
            before = state(store)
        code, out, err = run_cli(path, "import", str(upload), "--format", fmt, "--json")
        with open_store(path, user=USER) as store:
            if code != 0:
                counts["refused"] += 1
                assert code == 1 and out == "", (code, out)
                assert err.count("\n") == 1 and err.startswith("taskflow: "), err
                assert state(store) == before
                return
            counts["imported"] += 1
            report = json.loads(out)
            written = report["added"] + report["updated"]
            for task in written:
                stored = store.get(task["id"])
                assert (stored.title, stored.description) == (task["title"], task["description"])
            if fmt == "todotxt":
                return  # its lines carry dates and marks of their own, read as such
            for number, task in enumerate(tasks):
                mark = f"·{number}"
                mine = [t for t in written if t["title"].endswith(mark)]
                skipped = [t for t in report["skipped"] if t["title"].endswith(mark)]
                assert len(mine) + len(skipped) == 1, (task, report)
                if mine:
                    assert mine[0]["title"] == task["title"].strip()
                    assert mine[0]["description"] == trimmed_description(task["description"])
                    assert mine[0]["completed"] == task["completed"]

    check()
    assert counts["imported"] and counts["refused"], counts
    with connected(path) as connection:
        assert integrity(connection) == "ok"
        assert consistency_problems(connection, USER) == []


def test_the_store_refuses_non_text_with_a_validation_error(tmp_path: Path) -> None:
    """What a script could hand the store through the Python API."""
    with open_store(tmp_path / "tasks.db", user=USER) as store:
        for bad in (None, 42, b"bytes", ["a list"], 3.5):
            with pytest.raises(StoreError):
                store.create(bad)  # type: ignore[arg-type]
        assert state(store) == (0, 0)


def test_command_line_arguments_that_are_not_utf8_get_one_line(tmp_path: Path) -> None:
    """Bytes that are not UTF-8 reach Python as unpaired surrogates; every command that
    hands them to the store says so in one line (it printed a traceback before)."""
    database = str(tmp_path / "tasks.db").encode()
    for command in ([b"list", b"-s", b"\xff"], [b"show", b"\xffab"], [b"done", b"ab\xfe"]):
        completed = subprocess.run(
            [sys.executable, "-m", "tui", b"--db", database, *command],
            cwd=REPO,
            env={**os.environ, "PYTHONPATH": str(REPO)},
            capture_output=True,
            check=False,
        )
        err = completed.stderr.decode("utf-8", "replace")
        assert completed.returncode == 1, err
        assert err.count("\n") == 1 and err.startswith("taskflow: "), err
        assert "not a character" in err


# -- the app: typed into the editor, drawn in the list -----------------------------------

# What a person can type or paste into a one-line field: no line breaks.
typed_text = st.lists(
    st.one_of(
        st.sampled_from([p for p in PIECES if "\n" not in p and "\r" not in p]),
        st.text(st.characters(exclude_categories=("Cs",)), max_size=6),
    ),
    min_size=1,
    max_size=6,
).map("".join)


async def type_a_new_task(title: str, folder: Path) -> dict[str, Any]:
    """Add a task by typing ``title`` into the editor; then open it again and save it
    unchanged. Reports what was stored, shown and said."""
    path = folder / "tasks.db"
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    store = open_store(path, user=USER)
    app = window(store)
    heard = Heard(app)
    seen: dict[str, Any] = {}
    try:
        async with app.run_test(size=(160, 20)) as pilot:
            await settle(pilot)
            await pilot.press("a")
            await settle(pilot)
            app.screen.query_one("#title").insert_text_at_cursor(title)  # type: ignore[attr-defined]
            await pilot.press("enter")
            await settle(pilot)
            seen["refused"] = isinstance(app.screen, TaskEditScreen)
            seen["errors"] = heard.form_errors() + heard.errors
            await back_to_the_list(pilot)
            stored = store.list_tasks(TaskQuery())
            seen["stored"] = stored
            seen["lines"] = table_lines(app)
            seen["segments"] = [
                segment.text
                for y in range(table_of(app).size.height)
                for segment in table_of(app).render_line(y)
            ]
            if stored:
                await pilot.press("g", "e")
                await settle(pilot)
                await pilot.press("ctrl+s")  # saved without a change
                await settle(pilot)
                await back_to_the_list(pilot)
                seen["after_resave"] = store.get(stored[0].id)
    finally:
        store.close()
    return seen


@pytest.mark.parametrize("examples", sizes(12, 200))
def test_text_typed_into_the_editor_is_listed_literally(tmp_path: Path, examples: int) -> None:
    @check_settings(examples)
    @example(title="[bold red]x[/] [link=file:///etc/passwd]y 🎉")
    @example(title="\x1b[31mred\x1b[0m")
    @example(title="e\u0301 \u202eabc 👩‍👩‍👧‍👦")
    @given(title=typed_text)
    def check(title: str) -> None:
        seen = asyncio.run(type_a_new_task(title, tmp_path))
        if seen["refused"]:
            assert seen["stored"] == []  # nothing half-saved
            assert seen["errors"] and all("\n" not in e for e in seen["errors"]), seen
            return
        assert seen["errors"] == []
        (task,) = seen["stored"]
        shown = visible(single_line(task.title))
        assert not any("\x1b" in text for text in seen["segments"]), "an escape reached the screen"
        if cell_len(shown) <= 40:
            assert any(shown in line for line in seen["lines"]), (shown, seen["lines"])
        # Opening the task and saving it without touching anything changes nothing.
        assert seen["after_resave"] == task

    check()
