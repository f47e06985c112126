"""What a scripted command loads: on a SQLite file, neither the PostgreSQL driver nor
the full-screen app's libraries (their import costs more than the command's own work);
on a server, the driver is loaded when the server is opened, and everything works.

Each check runs the real command in a fresh interpreter and reads its sys.modules.
"""

from __future__ import annotations

import importlib.util
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.cli.helpers import REPO

# Each command runs in its own interpreter, and prints the heavy top-level packages
# that interpreter had loaded when it finished.
RUN_AND_REPORT = """
import json, sys
from tui.cli import main
code = main(sys.argv[1:])
loaded = sorted({name.split('.')[0] for name in sys.modules} & {'psycopg', 'textual', 'rich'})
print(json.dumps({'code': code, 'loaded': loaded}), file=sys.stderr)
"""


def run_reporting(*args: str, cwd: Path) -> tuple[int, list[str], str]:
    result = subprocess.run(
        [sys.executable, "-c", RUN_AND_REPORT, *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO), "TASKFLOW_USER": "alice"},
        timeout=120,
        check=False,
    )
    report = json.loads(result.stderr.strip().splitlines()[-1])
    return report["code"], report["loaded"], result.stdout


def test_the_driver_is_installed_here_so_that_not_loading_it_means_something() -> None:
    assert importlib.util.find_spec("psycopg") is not None


@pytest.mark.sqlite_only
def test_commands_on_a_file_load_neither_the_driver_nor_textual_nor_rich(tmp_path: Path) -> None:
    db = str(tmp_path / "tasks.db")
    code, loaded, out = run_reporting("--db", db, "add", "Buy milk tomorrow #home", cwd=tmp_path)
    assert (code, loaded) == (0, [])
    assert "Buy milk" in out

    code, loaded, out = run_reporting("--db", db, "list", "--json", cwd=tmp_path)
    assert (code, loaded) == (0, [])
    [task] = json.loads(out)
    assert (task["title"], task["tags"]) == ("Buy milk", ["home"])

    code, loaded, _ = run_reporting("--db", db, "done", task["id"][:8], cwd=tmp_path)
    assert (code, loaded) == (0, [])
    code, loaded, out = run_reporting("--db", db, "list", "--done", cwd=tmp_path)
    assert (code, loaded) == (0, [])
    assert "Buy milk" in out


@pytest.mark.postgres_only
def test_on_a_server_the_driver_is_loaded_when_it_is_opened(location: str, tmp_path: Path) -> None:
    code, loaded, out = run_reporting("--db", location, "add", "Shared task !high", cwd=tmp_path)
    assert (code, loaded) == (0, ["psycopg"])
    assert "Shared task" in out

    code, loaded, out = run_reporting("--db", location, "list", "--json", cwd=tmp_path)
    assert (code, loaded) == (0, ["psycopg"])
    [task] = json.loads(out)
    assert (task["title"], task["priority"]) == ("Shared task", "high")

    code, _, _ = run_reporting("--db", location, "done", task["id"][:8], cwd=tmp_path)
    assert code == 0
    code, _, out = run_reporting("--db", location, "list", "--json", "--done", cwd=tmp_path)
    assert [item["completed"] for item in json.loads(out)] == [True]


@pytest.mark.postgres_only
def test_a_store_on_a_server_opened_in_a_process_that_had_not_loaded_the_driver(
    location: str, tmp_path: Path
) -> None:
    """The store's own API, not the command line: the peewee that `import store` loaded
    without psycopg is given it on open, and transactions, JSON and errors work."""
    script = f"""
import sys
import store
assert 'psycopg' not in sys.modules, 'loaded before a server was asked for'
with store.open_store({location!r}, user='bob') as tasks:
    first = tasks.create('one', tags=('a',))
    tasks.toggle(first.id)
    tasks.undo()
    print(tasks.get(first.id).completed, tasks.counts().open, 'psycopg' in sys.modules)
"""
    result = subprocess.run(
        [sys.executable, "-c", script],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        env={**os.environ, "PYTHONPATH": str(REPO)},
        timeout=120,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split() == ["False", "1", "True"]
