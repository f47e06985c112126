"""Import files at and past the edges: times and dates the store cannot read back, numbers
no field can hold, sizes and nestings that exhaust memory or the stack (issue 13, items
5, 6 and 7). Each is refused whole, in one line that names the record and why."""

from __future__ import annotations

import io
import json
import time
from pathlib import Path
from typing import Any

import pytest

from store import FileFormatError, TaskStore, transfer
from store.transfer import Format, parse, parse_bytes, read_file

TASK_ID = "6f1d8a52-3c0e-4a3b-9a57-1f5e0c2b7d42"
SOUND = "2026-01-01T00:00:00Z"


def json_file(**fields: Any) -> str:
    task = {
        "id": TASK_ID,
        "title": "x",
        "completed": False,
        "created_at": SOUND,
        "updated_at": SOUND,
        **fields,
    }
    return json.dumps({"format": "taskflow", "format_version": 2, "tasks": [task]})


def refusal(text: str, fmt: Format) -> str:
    with pytest.raises(FileFormatError) as refused:
        parse(text, fmt, name="f")
    message = str(refused.value)
    assert "\n" not in message and message.endswith("nothing was imported."), message
    return message


@pytest.fixture(params=["UTC", "Pacific/Kiritimati", "America/New_York", "Etc/GMT+12"])
def any_zone(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> str:
    """The same checks in the zones furthest east and west (and New York, of the report)."""
    monkeypatch.setenv("TZ", request.param)
    time.tzset()
    return str(request.param)


# -- item 5: times and dates outside what reads back, in every format --------------------------


@pytest.mark.parametrize(
    ("fmt", "text", "named"),
    [
        (Format.CSV, "title,created_at\nold,0226-05-01\n", "line 2: created_at '0226-05-01'"),
        (Format.CSV, "title,updated_at\nold,1899-12-31T23:00:00Z\n", "line 2: updated_at"),
        (Format.CSV, "title,due\nold,0001-01-01\n", "line 2: due 0001-01-01"),
        (Format.CSV, "title,due\nold,9999-12-31\n", "line 2: due 9999-12-31"),
        (Format.TODOTXT, "0001-01-01 ancient\n", "line 1: the date 0001-01-01"),
        (Format.TODOTXT, "x 9999-12-31 2026-01-01 done\n", "line 1: the date 9999-12-31"),
        (Format.TODOTXT, "call due:0001-01-01\n", "line 1: the date 0001-01-01"),
        (Format.JSON, json_file(created_at="9999-12-31T23:59:59Z"), "created_at '9999-12-31T23"),
        (Format.JSON, json_file(created_at="0001-01-01T00:00:00+01:00"), "created_at '0001-01-01"),
        (Format.JSON, json_file(updated_at="9999-12-31T23:59:59-05:00"), "updated_at '9999-12-31"),
        (Format.JSON, json_file(due="0226-05-01"), "due 0226-05-01"),
        (
            Format.TASKWARRIOR,
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
            "due '00010101T000000Z'",
        ),
        (
            Format.TASKWARRIOR,
            json.dumps(
                [
                    {
                        "uuid": TASK_ID,
                        "description": "x",
                        "status": "pending",
                        "entry": "99991231T235959Z",
                    }
                ]
            ),
            "entry '99991231T235959Z'",
        ),
        (
            Format.TASKWARRIOR,
            json.dumps(
                [
                    {
                        "uuid": TASK_ID,
                        "description": "x",
                        "status": "pending",
                        "entry": "20260101T000000Z",
                        "wait": "00010101T000000Z",
                    }
                ]
            ),
            "wait '00010101T000000Z'",
        ),
    ],
)
def test_times_and_dates_that_do_not_read_back_in_every_zone_are_refused(
    any_zone: str, fmt: Format, text: str, named: str
) -> None:
    message = refusal(text, fmt)
    assert named in message
    assert "outside" in message


def test_the_edges_of_the_kept_range_import_and_read_back_in_every_zone(
    any_zone: str, store: TaskStore
) -> None:
    early, late = "1900-01-01T00:00:00Z", "9999-12-30T23:59:59.999999Z"
    parsed = parse(json_file(created_at=early, updated_at=late, due="9999-12-30"), Format.JSON)
    store.import_tasks(parsed.tasks)
    (task,) = store.list_tasks()
    assert not task.unreadable
    assert transfer.format_moment(task.created_at) == "1900-01-01T00:00:00.000000Z"
    assert transfer.format_moment(task.updated_at) == late
    for moment in (task.created_at, task.updated_at):
        assert moment.astimezone().year in (1899, 1900, 9999)  # shows, in this zone too


def test_a_history_with_a_time_outside_the_range_is_refused() -> None:
    snapshot = {
        "title": "x",
        "description": "",
        "completed": False,
        "created_at": "0226-05-01T00:00:00Z",
        "updated_at": SOUND,
        "version": 1,
    }
    events = [{"kind": "created", "at": SOUND, "before": None, "after": snapshot, "reverts": None}]
    assert "event 1, after: created_at '0226-05-01" in refusal(
        json_file(events=events), Format.JSON
    )
    events[0]["after"] = {**snapshot, "created_at": SOUND}
    events[0]["at"] = "9999-12-31T23:00:00Z"
    assert "event 1: at '9999-12-31" in refusal(json_file(events=events), Format.JSON)


# -- item 6: numbers, nesting and sizes ---------------------------------------------------------


@pytest.mark.parametrize(
    ("fields", "named"),
    [
        ({"version": 2**63}, "version must be a whole number from 1 to 1,000,000,000"),
        ({"version": 7}, "a number has too many digits"),  # 7 becomes 5,000 digits below
        ({"position": 1e308}, "position 1e+308 is beyond"),
        ({"position": -1e308}, "position -1e+308 is beyond"),
    ],
)
def test_absurd_numbers_are_refused(fields: dict[str, Any], named: str) -> None:
    text = json_file(**fields).replace('"version": 7', '"version": ' + "7" * 5000)
    assert named in refusal(text, Format.JSON)


@pytest.mark.parametrize("constant", ["NaN", "Infinity", "-Infinity"])
def test_nan_and_infinity_are_not_json(constant: str) -> None:
    text = json_file(position=0).replace('"position": 0', f'"position": {constant}')
    assert f"{constant} is not a JSON number" in refusal(text, Format.JSON)


def test_positions_of_both_signs_far_apart_never_become_infinite(store: TaskStore) -> None:
    """The largest positions allowed, imported after existing tasks: still finite."""
    store.create("here first")
    tasks = [
        {"id": f"6f1d8a52-3c0e-4a3b-9a57-1f5e0c2b7d4{n}", "title": f"t{n}", "completed": False,
         "created_at": SOUND, "updated_at": SOUND, "position": value}
        for n, value in enumerate((transfer.MAX_POSITION, -transfer.MAX_POSITION))
    ]  # fmt: skip
    text = json.dumps({"format": "taskflow", "format_version": 2, "tasks": tasks})
    store.import_tasks(parse(text, Format.JSON).tasks)
    positions = [task.position for task in store.list_tasks()]
    assert all(abs(p) < float("inf") for p in positions), positions
    assert json.loads(
        json.dumps([transfer.task_json(t) for t in store.list_tasks()], allow_nan=False)
    )


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        (Format.TASKWARRIOR, '{"uuid": ' + "[" * 10**6 + "]" * 10**6 + "}\n"),
        (Format.TASKWARRIOR, "[" * 10**6 + "]" * 10**6),
        (Format.JSON, "[" * 10**6),
        (Format.TASKWARRIOR, '{"uuid": "x", "a": ' + "[" * 65 + "]" * 65 + "}\n"),
        (
            Format.JSON,
            json_file(description="x").replace('"x"}', '"x", "tags": ' + "[" * 70 + "]" * 70 + "}"),
        ),
    ],
    ids=["json-lines-1e6-deep", "array-1e6-deep", "ours-1e6-deep", "lines-65", "ours-70"],
)
def test_deep_nesting_is_refused_naming_the_limit(fmt: Format, text: str) -> None:
    assert f"nested too deeply (more than {transfer.MAX_JSON_DEPTH} levels)" in refusal(text, fmt)


def test_json_lines_are_read_under_the_same_rules_as_a_whole_file() -> None:
    line = json.dumps(
        {"uuid": TASK_ID, "description": "x", "status": "pending", "entry": "20260101T000000Z"}
    )
    assert len(parse(line + "\n", Format.TASKWARRIOR).tasks) == 1
    nan = line.replace('"x"', '"x", "urgency": NaN')
    assert "line 2: NaN is not a JSON number" in refusal(line + "\n" + nan, Format.TASKWARRIOR)


def test_kept_taskwarrior_attributes_must_be_text() -> None:
    deep = [[["x"]]]
    item = {
        "uuid": TASK_ID,
        "description": "x",
        "status": "pending",
        "entry": "20260101T000000Z",
        "project": deep,
    }
    assert "project must be text or a list of text" in refusal(
        json.dumps([item]), Format.TASKWARRIOR
    )


def test_a_file_over_the_size_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    big = tmp_path / "big.json"
    with big.open("wb") as out:  # sparse: costs no disk and, refused unread, no memory
        out.truncate(transfer.MAX_IMPORT_BYTES + 1)
    limit = f"larger than {transfer.MAX_IMPORT_BYTES // 2**20} MiB, the most an import reads"
    with pytest.raises(FileFormatError, match=limit):
        read_file(big, Format.JSON)


def test_a_stream_without_a_size_is_read_only_just_past_the_limit(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(transfer, "MAX_IMPORT_BYTES", 3 * 2**20)

    class Endless(io.RawIOBase):
        """/dev/zero as a pipe: no size, no end."""

        handed = 0

        def readable(self) -> bool:
            return True

        def readinto(self, buffer: Any) -> int:
            buffer[:] = b"\0" * len(buffer)
            Endless.handed += len(buffer)
            return len(buffer)

    with pytest.raises(FileFormatError, match="standard input is larger than 3 MiB"):
        transfer.read_limited(io.BufferedReader(Endless()), "standard input")
    assert Endless.handed <= 5 * 2**20
    with pytest.raises(FileFormatError, match="larger than 3 MiB"):
        parse_bytes(b" " * (3 * 2**20 + 1), Format.JSON, name="f")


def test_a_file_within_the_limit_is_read_whole(tmp_path: Path) -> None:
    path = tmp_path / "tasks.json"
    path.write_text(json_file(), encoding="utf-8")
    assert [task.id for task in read_file(path).tasks] == [TASK_ID]


def test_refusals_quote_huge_values_briefly() -> None:
    """A huge or deep value is named by its kind, never turned into text to be clipped."""
    message = refusal(json_file(due=["x"] * 10**6), Format.JSON)
    assert "due a list is not a date" in message and len(message) < 300
