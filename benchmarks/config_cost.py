"""The config section: what reading the config file adds to a scripted command.

Two figures, each with and without a config file in its default place
(XDG_CONFIG_HOME), in the same run:

- read: in a fresh interpreter that has just run `taskflow --db X add` with no
  config file (so everything a command loads anyway is loaded, and nothing of the
  config layer is), the time of reading the settings as ``main`` does it
  (tui.cli.settings_access.read_settings): with no file, a stat; with one, the
  config modules, tomllib and the parse. Many interpreters, the median.
- add: the whole `taskflow --db X add "Buy milk"` as a user runs it (the venv's
  script, a process each), the two cases alternating; the medians and their ratio.

The file read is a full one: every setting of the catalogue and a few [keys].
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from benchmarks import timing
from benchmarks.words import USER

# A config file with every setting the catalogue has, and three remapped keys.
FULL_FILE = """\
# Everything, as a user who read the README might write it.
theme = "nord"
week_start = "sunday"
time_format = "12h"
dates = "absolute"
user = "bench"

[list]
view = "remember"
sort = "due"
hide_done = true

[cli]
list_sort = "due"
list_columns = ["id", "priority", "due", "tags"]

[keys]
toggle_done = ["t", "space"]
quit = "Q"
help = "f1"

[state]
view = "today"
sort = "due"
hide_done = false
"""

# Run in a fresh interpreter: argv is the database; XDG_CONFIG_HOME (a folder with or
# without a file) comes from the environment. Prints the read's time in seconds.
READ_ONCE = """
import argparse, io, os, sys, time
from tui.cli import main
real = os.environ["XDG_CONFIG_HOME"]
os.environ["XDG_CONFIG_HOME"] = real + "-empty"   # the warm-up command reads no file
sys.stdout = io.StringIO()
assert main(["--db", sys.argv[1], "add", "warm up"]) == 0
assert not [name for name in sys.modules if name.startswith(("tui.settings", "tomllib"))]
os.environ["XDG_CONFIG_HOME"] = real
from tui.cli.settings_access import read_settings
args = argparse.Namespace(config=None, db=sys.argv[1], user=None)
begin = time.perf_counter()
settings = read_settings(args)
took = time.perf_counter() - begin
assert settings is None or not settings.problems, settings.problems
sys.__stdout__.write(repr(took))
"""


@dataclass(frozen=True)
class Plan:
    reads: int  # interpreters for each read figure
    adds: int  # pairs of whole commands


FULL = Plan(reads=41, adds=21)
QUICK = Plan(reads=5, adds=3)
# Targets: with no file, nothing measurable; with one, a few milliseconds.
READ_WITHOUT_FILE_MS = 0.1
READ_WITH_FILE_MS = 5.0
ADD_RATIO = 1.1


def progress(text: str) -> None:
    print(f"config: {text}", file=sys.stderr, flush=True)


def read_seconds(db: Path, config_home: Path) -> float:
    done = subprocess.run(
        [sys.executable, "-c", READ_ONCE, str(db)],
        env=timing.child_env({"XDG_CONFIG_HOME": str(config_home), "TASKFLOW_USER": USER}),
        cwd=timing.ROOT,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        raise SystemExit(f"the read could not be measured:\n{done.stderr}")
    return float(done.stdout)


def section(*, quick: bool) -> int:
    """Measure and print the config table; return how many figures missed their target."""
    plan = QUICK if quick else FULL
    taskflow = Path(sys.executable).with_name("taskflow")
    if not taskflow.exists():
        raise SystemExit(f"{taskflow} not found: pip install -e . in this venv first")
    with tempfile.TemporaryDirectory(prefix="taskflow-config-") as tmp:
        folder = Path(tmp)
        without, with_file = folder / "no-config", folder / "config"
        for home in (without, with_file):
            (home / "taskflow").mkdir(parents=True)
            Path(f"{home}-empty").mkdir()
        (with_file / "taskflow" / "config.toml").write_text(FULL_FILE)
        db = folder / "tasks.db"

        progress(f"reading the settings, {plan.reads} interpreters each")
        reads: dict[Path, list[float]] = {without: [], with_file: []}
        for _ in range(plan.reads):
            for home in reads:
                reads[home].append(read_seconds(db, home))

        progress(f"`taskflow add`, {plan.adds} pairs")

        def add(home: Path) -> float:
            env = timing.child_env({"XDG_CONFIG_HOME": str(home), "TASKFLOW_USER": USER})
            argv = [str(taskflow), "--db", str(db), "add", "Buy milk"]
            return timing.run(argv, env=env, output=folder / "out.txt").seconds

        bare, configured = timing.alternate(
            lambda: add(without), lambda: add(with_file), runs=plan.adds, budget=120, warmup=True
        )

    read_without = timing.median(reads[without]) * 1000
    read_with = timing.median(reads[with_file]) * 1000
    ratio = timing.median(configured) / timing.median(bare)
    rows = [
        ("read the settings, no config file", f"{read_without:.3f} ms", "-",
         f"≤ {READ_WITHOUT_FILE_MS} ms", read_without <= READ_WITHOUT_FILE_MS, plan.reads),
        ("read the settings, a file with every setting", f"{read_with:.2f} ms", "-",
         f"≤ {READ_WITH_FILE_MS:g} ms", read_with <= READ_WITH_FILE_MS, plan.reads),
        ("`taskflow --db X add \"Buy milk\"`: with the file vs without",
         f"{timing.median(configured) * 1000:.0f} ms vs {timing.median(bare) * 1000:.0f} ms",
         f"{ratio:.3f}x", f"≤ {ADD_RATIO}x", ratio <= ADD_RATIO, len(bare)),
    ]  # fmt: skip
    print()
    print("| measure | figure | ratio | target | runs |")
    print("| --- | ---: | ---: | --- | ---: |")
    for name, figure, shown_ratio, target, ok, runs in rows:
        verdict = "ok" if ok else "MISS"
        print(f"| {name} | {figure} | {shown_ratio} | {target} {verdict} | {runs} |")
    return sum(not ok for *_, ok, _ in rows)
