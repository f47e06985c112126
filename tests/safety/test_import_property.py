"""A property over timestamps, due dates and ids in every import format (issue 13): a file
is imported, or refused in one line with nothing written; afterwards every read command
(list, list --json, show, history, export in each format) exits 0, in any time zone.

The times come from the whole of datetime's range with any offset up to ±14 hours, and
from the review's own examples (year 226, 0001-01-01+01:00, 9999-12-31 west of UTC);
the ids from UUIDs in either case, ids differing only in case, non-ASCII and hostile
text. A few dozen examples in the normal suite, many more with TASKFLOW_LONG_TESTS=1.
"""

from __future__ import annotations

import csv
import io
import json
import os
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from store import open_store
from tests.safety.apps import run_cli
from tests.safety.helpers import sizes
from tests.safety.inspect_db import connected, consistency_problems, integrity
from tests.safety.test_hostile_input import check_settings

USER = "alice"
ZONES = ("UTC", "Pacific/Kiritimati", "Etc/GMT+12", "America/New_York", "Asia/Kolkata")
EDGES = (
    "0226-05-01",
    "0001-01-01",
    "0001-01-01T00:00:00+01:00",
    "9999-12-31T23:59:59-05:00",
    "9999-12-31T23:59:59Z",
    "9999-12-30T23:59:59.999999Z",
    "1900-01-01T00:00:00Z",
    "1899-12-31T23:59:59Z",
    "00010101T000000Z",
    "99991231T235959Z",
    "2026-02-30",
    "2026-11-20T09:30:00+14:00",
    "2026-11-20T09:30:00-12:00",
    "",
    "now",
)
ANY_MOMENT = st.datetimes(
    min_value=datetime(1, 1, 1),
    max_value=datetime(9999, 12, 31, 23, 59, 59),
    timezones=st.integers(-14 * 60, 14 * 60).map(lambda m: timezone(timedelta(minutes=m))),
)
NAIVE = st.datetimes(min_value=datetime(1, 1, 1), max_value=datetime(9999, 12, 31, 23, 59, 59))
DAYS = st.dates(min_value=date(1, 1, 1), max_value=date(9999, 12, 31))


def taskwarrior_time(moment: datetime) -> str:
    return (
        f"{moment.year:04d}{moment.month:02d}{moment.day:02d}"
        f"T{moment.hour:02d}{moment.minute:02d}{moment.second:02d}Z"
    )


# Times well inside the range, in each format's own spelling: most files should import,
# so that the reads afterwards have something to read.
SOUND = st.datetimes(min_value=datetime(1900, 1, 2), max_value=datetime(9999, 12, 29))
sound_times = st.one_of(
    SOUND.map(lambda moment: moment.isoformat() + "Z"),
    SOUND.map(lambda moment: moment.date().isoformat()),
    SOUND.map(taskwarrior_time),
)
timestamps = st.one_of(
    *[sound_times] * 8,
    st.sampled_from(EDGES),
    ANY_MOMENT.map(datetime.isoformat),
    NAIVE.map(lambda moment: moment.isoformat() + "Z"),
    NAIVE.map(taskwarrior_time),
    DAYS.map(date.isoformat),
)
dues = st.one_of(
    st.none(),
    DAYS.map(date.isoformat),
    st.builds(lambda day, hour: f"{day.isoformat()} {hour:02d}:00", DAYS, st.integers(0, 23)),
    st.sampled_from(["0001-01-01", "9999-12-31", "2026-99-01", "tomorrow"]),
)
ids = st.one_of(
    *[st.uuids().map(str)] * 4,
    st.uuids().map(lambda u: str(u).upper()),
    st.sampled_from(["ABC", "abc", "Émile", "a_c", "%", "x" * 201, "", " ", "a b", "\x1b[31m"]),
    st.text(min_size=1, max_size=12),
)
task_fields = st.fixed_dictionaries(
    {"id": ids, "created": timestamps, "updated": timestamps, "due": dues, "done": st.booleans()}
)


def as_file(fmt: str, tasks: list[dict[str, Any]]) -> str:
    if fmt == "json":
        items = []
        for n, task in enumerate(tasks):
            item = {"id": task["id"], "title": f"t{n}", "completed": task["done"],
                    "created_at": task["created"], "updated_at": task["updated"],
                    "due": task["due"]}  # fmt: skip
            if n % 2:  # a history too, with the same times in it
                after = {"title": f"t{n}", "description": "", "completed": task["done"],
                         "created_at": task["created"], "updated_at": task["updated"],
                         "version": 1}  # fmt: skip
                item["events"] = [{"kind": "created", "at": task["updated"], "before": None,
                                   "after": after, "reverts": None}]  # fmt: skip
            items.append(item)
        return json.dumps({"format": "taskflow", "format_version": 2, "tasks": items})
    if fmt == "taskwarrior":
        items = [
            {"uuid": task["id"], "description": f"t{n}",
             "status": "completed" if task["done"] else "pending",
             "entry": task["created"], "modified": task["updated"],
             **({"due": task["due"].replace("-", "")[:8] + "T120000Z"} if task["due"] else {})}
            for n, task in enumerate(tasks)
        ]  # fmt: skip
        if len(tasks) % 2:
            return "".join(json.dumps(item) + "\n" for item in items)  # one a line
        return json.dumps(items)
    if fmt == "csv":
        out = io.StringIO()
        writer = csv.writer(out)
        writer.writerow(["id", "title", "completed", "created_at", "updated_at", "due"])
        for n, task in enumerate(tasks):
            writer.writerow([task["id"], f"t{n}", task["done"], task["created"], task["updated"],
                             task["due"] or ""])  # fmt: skip
        return out.getvalue()
    lines = []  # todo.txt: its dates are days
    for n, task in enumerate(tasks):
        done = f"x {task['updated'][:10]} " if task["done"] else ""
        due = f" due:{task['due'][:10]}" if task["due"] else ""
        lines.append(f"{done}{task['created'][:10]} t{n}{due}\n")
    return "".join(lines)


def reads_all_work(database: Path, ids_seen: list[str]) -> None:
    commands = [
        ["list"],
        ["list", "--all"],
        ["list", "--all", "--json"],
        ["export", "--format", "json"],
        ["export", "--format", "json", "--events"],
        ["export", "--format", "csv"],
        ["export", "--format", "todotxt"],
    ]
    for task_id in ids_seen[-3:]:
        commands += [["show", task_id], ["show", task_id, "--json"], ["history", task_id]]
    for command in commands:
        code, _, err = run_cli(database, *command)
        assert code == 0, (command, err)
        assert "Traceback" not in err


@pytest.mark.parametrize("examples", sizes(40, 1000))
def test_timestamps_and_ids_in_every_format_import_or_are_refused_and_reads_work(
    tmp_path: Path, examples: int
) -> None:
    database = tmp_path / "tasks.db"
    upload = tmp_path / "upload"
    with open_store(database, user=USER) as store:
        store.create("already here")
    counts = {"imported": 0, "refused": 0}
    seen: list[str] = []
    zone_before = os.environ.get("TZ")

    @check_settings(examples)
    @given(
        fmt=st.sampled_from(["json", "taskwarrior", "todotxt", "csv"]),
        tasks=st.lists(task_fields, min_size=1, max_size=3),
        zone=st.sampled_from(ZONES),
    )
    def check(fmt: str, tasks: list[dict[str, Any]], zone: str) -> None:
        os.environ["TZ"] = zone
        time.tzset()
        upload.write_text(as_file(fmt, tasks), encoding="utf-8", errors="surrogatepass")
        code, out, err = run_cli(database, "import", str(upload), "--format", fmt, "--json")
        if code == 0:
            counts["imported"] += 1
            report = json.loads(out)
            seen.extend(task["id"] for task in report["added"] + report["updated"])
        else:
            counts["refused"] += 1
            assert code == 1 and out == "", (code, out)
            assert err.count("\n") == 1 and err.startswith("taskflow: "), err
        reads_all_work(database, seen)

    try:
        check()
    finally:
        if zone_before is None:
            os.environ.pop("TZ", None)
        else:
            os.environ["TZ"] = zone_before
        time.tzset()
    assert counts["imported"] and counts["refused"], counts
    with connected(database) as connection:
        assert integrity(connection) == "ok"
        assert consistency_problems(connection, USER) == []
