"""The review's attacks on import, ids and undo, through `taskflow` itself (issue 13, items
5, 6, 8, 10, 11): each hostile file is refused in one line and nothing is written; a row
that cannot be read never takes the list down; undo says why it cannot, and goes past."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from store import TaskStore, transfer
from tests.cli.helpers import CLI, Result
from tests.helpers import tamper

SOUND = "2026-01-01T00:00:00Z"
TASK_ID = "6f1d8a52-3c0e-4a3b-9a57-1f5e0c2b7d42"
OSC52 = "\x1b]52;c;ZWNobyBwd25lZA==\x1b\\"


def refused_in_one_line(result: Result, *words: str) -> None:
    assert result.code == 1, result
    assert result.out == ""
    assert len(result.error_lines) == 1 and result.err.startswith("taskflow: "), result.err
    assert "Traceback" not in result.err
    for word in words:
        assert word in result.err, result.err


def our_json(**fields: Any) -> str:
    task = {
        "id": TASK_ID,
        "title": "x",
        "completed": False,
        "created_at": SOUND,
        "updated_at": SOUND,
    }
    return json.dumps({"format": "taskflow", "format_version": 2, "tasks": [{**task, **fields}]})


def every_read_works(cli: CLI, *, user: str = "alice") -> None:
    for command in (("list", "--all"), ("list", "--all", "--json")):
        result = cli(*command, user=user)
        assert result.code == 0 and "Traceback" not in result.err, result


# -- item 5 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "fmt"),
    [
        ("a.csv", "title,created_at\nold,0226-05-01\n", "csv"),
        ("a.txt", "0001-01-01 ancient\n", "todotxt"),
        ("a.json", our_json(created_at="9999-12-31T23:59:59Z"), "json"),
        ("b.json", our_json(created_at="0001-01-01T00:00:00+01:00"), "json"),
        ("c.json", our_json(updated_at="9999-12-31T23:59:59-05:00"), "json"),
        (
            "tw.json",
            json.dumps(
                [
                    {
                        "uuid": TASK_ID,
                        "description": "x",
                        "status": "pending",
                        "entry": "20260101T000000Z",
                        "due": "00010101T000000Z",
                    }
                ]
            ),
            "taskwarrior",
        ),
    ],
)
@pytest.mark.parametrize("zone", ["America/New_York", "Pacific/Kiritimati"])
def test_the_reviews_timestamps_are_refused_in_one_line(
    cli: CLI, alice: TaskStore, tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
    name: str, content: str, fmt: str, zone: str,
) -> None:  # fmt: skip
    import time

    monkeypatch.setenv("TZ", zone)
    time.tzset()
    path = tmp_path / name
    path.write_text(content, encoding="utf-8")
    refused_in_one_line(
        cli("import", str(path), "--format", fmt), "outside", "nothing was imported"
    )
    assert alice.count() == 0
    every_read_works(cli)


@pytest.mark.zone("Pacific/Kiritimati")
def test_a_database_with_unreadable_rows_lists_them_and_lets_them_go(
    cli: CLI, alice: TaskStore
) -> None:
    alice.create("fine")
    bad = alice.create("year 226")
    late = alice.create("late")
    tamper(
        alice, "UPDATE tasks SET created_at = ? WHERE id = ?", "226-05-01 12:00:00.000000", bad.id
    )
    tamper(
        alice, "UPDATE tasks SET updated_at = ? WHERE id = ?", "9999-12-31 23:59:59.000000", late.id
    )
    listed = cli("list")
    assert listed.code == 0 and "Traceback" not in listed.err
    lines = listed.out.splitlines()
    assert len(lines) == 3
    assert any(
        line.startswith(bad.id[:8]) and "[?]" in line and "cannot be read" in line for line in lines
    )
    assert any("fine" in line and "[ ]" in line for line in lines)
    as_json = json.loads(cli("list", "--json").out)
    assert sum("unreadable" in item for item in as_json) == 2
    shown = cli("show", bad.id[:12])
    assert shown.code == 0 and "cannot be read: created_at '226-05-01" in shown.out
    assert f"taskflow rm {bad.id}" in shown.out
    assert cli("show", bad.id, "--json").code == 0
    assert cli("history", bad.id).code == 0
    refused_in_one_line(cli("export"), "cannot be exported")  # never a file with placeholders
    refused_in_one_line(cli("done", bad.id), "cannot be changed")
    assert cli("rm", bad.id, late.id).code == 0
    refused_in_one_line(cli("undo"), "could not be read when that change was made", "--skip")
    skipped = cli("undo", "--skip")
    assert skipped.code == 0 and "Skipped" in skipped.out
    exported = cli("export")
    assert exported.code == 0 and json.loads(exported.out)["tasks"][0]["title"] == "fine"


# -- item 6 -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("content", "fmt", "named"),
    [
        ('{"uuid": ' + "[" * 10**6 + "]" * 10**6 + "}\n", "taskwarrior", "nested too deeply"),
        (our_json(version=2**63), "json", "version must be a whole number"),
        (our_json(position=1e308), "json", "position 1e+308 is beyond"),
        (our_json(position=-1e308), "json", "position -1e+308 is beyond"),
        (our_json(position=0).replace('"position": 0', '"position": NaN'), "json", "NaN"),
    ],
    ids=["json-lines-deep", "version-2**63", "position+1e308", "position-1e308", "nan"],
)
def test_the_reviews_numbers_and_nesting_are_refused_in_one_line(
    cli: CLI, alice: TaskStore, tmp_path: Path, content: str, fmt: str, named: str
) -> None:
    path = tmp_path / "hostile.json"
    path.write_text(content, encoding="utf-8")
    refused_in_one_line(cli("import", str(path), "--format", fmt), named)
    assert alice.count() == 0


def test_positions_far_apart_export_and_import_again(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    alice.create("here first")
    items = [
        {"id": f"6f1d8a52-3c0e-4a3b-9a57-1f5e0c2b7d4{n}", "title": f"t{n}", "completed": False,
         "created_at": SOUND, "updated_at": SOUND, "position": p}
        for n, p in enumerate((transfer.MAX_POSITION, -transfer.MAX_POSITION))
    ]  # fmt: skip
    path = tmp_path / "far.json"
    path.write_text(json.dumps({"format": "taskflow", "format_version": 2, "tasks": items}))
    assert cli("import", str(path)).code == 0
    listed = cli("list", "--json")
    assert "Infinity" not in listed.out and "NaN" not in listed.out
    exported = tmp_path / "again.json"
    assert cli("export", "-o", str(exported)).code == 0
    assert cli("import", str(exported), user="bob").code == 0


def test_standard_input_is_read_only_up_to_the_limit(
    cli: CLI, alice: TaskStore, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(transfer, "MAX_IMPORT_BYTES", 2**20)
    refused_in_one_line(
        cli("import", "-", "--format", "json", stdin=b"\0" * (2**20 + 10)),
        "standard input is larger than 1 MiB",
    )


def test_a_device_is_refused_without_being_read(cli: CLI) -> None:
    for device in ("/dev/zero", "/dev/urandom"):
        refused_in_one_line(cli("import", device, "--format", "json"), "not a regular file")


# -- item 8 -----------------------------------------------------------------------------------


def test_a_history_holding_an_escape_is_refused_and_never_put_live(
    cli: CLI, alice: TaskStore, tmp_path: Path
) -> None:
    def snap(title: str, version: int) -> dict[str, Any]:
        return {"title": title, "description": "", "completed": False, "created_at": SOUND,
                "updated_at": SOUND, "version": version}  # fmt: skip

    events = [
        {
            "kind": "created",
            "at": SOUND,
            "before": None,
            "after": snap(f"t{OSC52}", 1),
            "reverts": None,
        },
        {
            "kind": "edited",
            "at": SOUND,
            "before": snap(f"t{OSC52}", 1),
            "after": snap("clean", 2),
            "reverts": None,
        },
    ]
    path = tmp_path / "history.json"
    path.write_text(our_json(title="clean", version=2, events=events), encoding="utf-8")
    result = cli("import", str(path))
    refused_in_one_line(result, "event 1, after", "control character")
    assert "\x1b" not in result.err
    assert alice.count() == 0
    assert "Nothing to undo" in cli("undo").err


# -- item 10 ----------------------------------------------------------------------------------


def test_another_owner_cannot_wedge_your_undo(cli: CLI, alice: TaskStore, tmp_path: Path) -> None:
    alice.create("a1")
    a2 = alice.create("a2")
    export = tmp_path / "alice.json"
    assert cli("export", "-o", str(export)).code == 0
    assert cli("rm", a2.id).code == 0
    first = cli("import", str(export), "--json", user="bob")
    assert first.code == 0
    reassigned = json.loads(first.out)["reassigned_ids"]
    assert a2.id in reassigned
    second = json.loads(cli("import", str(export), "--json", user="bob").out)
    assert second["added"] == [] and second["reassigned_ids"] == reassigned
    assert len(json.loads(cli("list", "--json", user="bob").out)) == 2  # never two a2s
    undone = cli("undo")
    assert undone.code == 0 and "Restored" in undone.out
    assert a2.id in {t["id"] for t in json.loads(cli("list", "--json").out)}


def test_undo_skip_goes_past_a_change_that_cannot_be_undone(cli: CLI, alice: TaskStore) -> None:
    first = alice.create("first")
    gone = alice.create("gone")
    tamper(alice, "DELETE FROM tasks WHERE id = ?", gone.id)  # as another program might
    refused_in_one_line(cli("undo"), "no longer as that change left it", "taskflow undo --skip")
    skipped = cli("undo", "--skip", "--json")
    assert skipped.code == 0 and json.loads(skipped.out)["skipped"] is True
    undone = json.loads(cli("undo", "--json").out)
    assert undone["undone"]["task_id"] == first.id and undone["skipped"] is False


# -- item 11 ----------------------------------------------------------------------------------


def test_ids_differing_in_case_name_their_own_task(cli: CLI, alice: TaskStore) -> None:
    for title, adopted in (("upper", "ABC"), ("lower", "abc"), ("accent", "Émile")):
        task = alice.create(title)
        tamper(alice, "UPDATE tasks SET id = ? WHERE id = ?", adopted, task.id)
    assert cli("rm", "ABC").code == 0
    assert sorted(t["id"] for t in json.loads(cli("list", "--json").out)) == ["abc", "Émile"]
    shown = cli("show", "Émile", "--json")
    assert shown.code == 0 and json.loads(shown.out)["title"] == "accent"
    assert cli("show", "émile").code == 1


def test_imported_ids_that_are_not_uuids_are_replaced_and_reported(
    cli: CLI, tmp_path: Path
) -> None:
    items = [
        {"id": i, "title": i, "completed": False, "created_at": SOUND, "updated_at": SOUND}
        for i in ("ABC", "abc", "Émile")
    ]
    path = tmp_path / "ids.json"
    path.write_text(json.dumps({"format": "taskflow", "format_version": 2, "tasks": items}))
    report = json.loads(cli("import", str(path), "--json").out)
    assert set(report["reassigned_ids"]) == {"ABC", "abc", "Émile"}
    human = cli("import", str(path))
    assert "is not a UUID; imported as" in human.out and "0 added" in human.out
