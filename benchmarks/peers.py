"""The peers section: TaskFlow's command line against Taskwarrior 2.6 on the same
tasks, and TaskFlow's launch against the floor app (benchmarks/floor_app.py).

The same N tasks are written once as a Taskwarrior JSON export; `task import` reads
it into a private Taskwarrior (benchmarks/taskwarrior.py says how it is set up)
and `taskflow import -f taskwarrior` into a TaskFlow database. Each row runs the
two commands in turn, TaskFlow first, as many pairs as its plan says (fewer when
a row runs past its time budget: the table says how many), and compares the
medians as TaskFlow / peer. Every command is a real process started the way a
user starts it: the `taskflow` script of this venv and `task` from PATH, output
to a file (not a terminal), stdin empty.

Reads are measured before writes, on freshly imported data, so that no report
pays for garbage collection after `task done` (see benchmarks/taskwarrior.py).
"""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
import tempfile
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path

from benchmarks import taskwarrior, timing
from benchmarks.floor_app import LINE
from benchmarks.words import USER

FLOOR_APP = Path(__file__).with_name("floor_app.py")


@dataclass(frozen=True)
class Plan:
    small: int  # tasks for add, done, list, list --json and import
    large: int  # tasks for add, done, export, memory, the JSON import and launch
    launch_small: int  # the other size the launch is measured at
    runs: int  # pairs for a row of short commands
    slow_runs: int  # pairs for a row of commands that take seconds at ``large``
    budget: float  # seconds a row may take before it stops early


FULL = Plan(small=10_000, large=100_000, launch_small=100, runs=7, slow_runs=3, budget=150)
# --quick: small sizes and few runs, so that CI keeps this code working.
QUICK = Plan(small=200, large=1_000, launch_small=100, runs=2, slow_runs=1, budget=30)


@dataclass(frozen=True)
class Spec:
    """A row of the table: what it measures, at how many tasks, and its target."""

    key: str
    measure: str
    tasks: int
    unit: str  # "s" or "MB"
    limit: float  # TaskFlow / peer at most this; without a peer, TaskFlow's own figure
    needs: str  # what the row cannot run without: "task" or "tmux"
    peer: bool = True


def specs(plan: Plan) -> list[Spec]:
    """The rows in the order of the table (issue 15's order), with their targets."""
    add = '`taskflow add "Buy milk"` vs `task add Buy milk`'
    done = "`taskflow done ID` vs `task ID done`"
    launch = "launch in tmux to the first task shown: `taskflow --db X` vs the floor app"
    return [
        Spec("add small", add, plan.small, "s", 1.5, "task"),
        Spec("add large", add, plan.large, "s", 1.0, "task"),
        Spec("done small", done, plan.small, "s", 1.5, "task"),
        Spec("done large", done, plan.large, "s", 1.0, "task"),
        Spec(
            "list",
            "list open tasks (every row, to a file): `taskflow list` vs `task list`",
            plan.small,
            "s",
            0.8,
            "task",
        ),
        Spec(
            "json",
            "open tasks as JSON: `taskflow list --json` vs `task export`",
            plan.small,
            "s",
            1.0,
            "task",
        ),
        Spec(
            "import",
            "import a Taskwarrior export into an empty store: "
            "`taskflow import -f taskwarrior` vs `task import`",
            plan.small,
            "s",
            1.0,
            "task",
        ),
        Spec(
            "json import",
            "import TaskFlow JSON (`taskflow export`'s) into an empty store, no peer",
            plan.large,
            "s",
            8.0,
            "",
            peer=False,
        ),
        Spec(
            "export",
            "export every task: `taskflow export` vs `task export`",
            plan.large,
            "s",
            1.0,
            "task",
        ),
        Spec(
            "memory",
            "peak memory (max RSS): `taskflow list` vs `task list`",
            plan.large,
            "MB",
            1.2,
            "task",
        ),
        Spec("launch small", launch, plan.launch_small, "s", 1.2, "tmux"),
        Spec("launch large", launch, plan.large, "s", 1.2, "tmux"),
    ]


@dataclass(frozen=True)
class Row:
    spec: Spec
    ours: list[float] = field(default_factory=list)
    theirs: list[float] = field(default_factory=list)
    skipped: str = ""  # why the row was not measured

    @property
    def figure(self) -> float:
        """TaskFlow / peer, or without a peer TaskFlow's own median."""
        ours = timing.median(self.ours)
        return ours / timing.median(self.theirs) if self.spec.peer else ours

    @property
    def ok(self) -> bool:
        return not self.skipped and self.figure <= self.spec.limit


Figures = tuple[list[float], list[float]]  # TaskFlow's runs, the peer's


class Bench:
    """The temporary folder, the two tools and the environment they run in."""

    def __init__(self, folder: Path, plan: Plan) -> None:
        self.folder = folder
        self.plan = plan
        # The console script installed in the venv this benchmark runs in.
        self.taskflow = Path(sys.executable).with_name("taskflow")
        if not self.taskflow.exists():
            raise SystemExit(f"{self.taskflow} not found: pip install -e . in this venv first")
        self.env = timing.child_env({"TASKFLOW_USER": USER})
        self.have_task = taskwarrior.available()
        self.numbers = itertools.count()
        self.exports: dict[int, list[dict[str, object]]] = {}

    def fresh(self, stem: str) -> Path:
        """A path under the folder that nothing has used yet."""
        return self.folder / f"{stem}-{next(self.numbers)}"

    def export_file(self, count: int) -> Path:
        """The sample tasks as a Taskwarrior export, written once for each size."""
        path = self.folder / f"taskwarrior-{count}.json"
        if count not in self.exports:
            self.exports[count] = taskwarrior.sample_export(count)
            taskwarrior.write_export(path, self.exports[count])
        return path

    def ours(self, db: Path, *args: str, output: Path | None = None) -> timing.Run:
        argv = [str(self.taskflow), "--db", str(db), *args]
        return timing.run(argv, env=self.env, output=output or self.folder / "out.txt")

    def theirs(self, data: Mapping[str, str], *args: str, output: Path | None = None) -> timing.Run:
        argv = ["task", *args]
        env = {**self.env, **data}
        return timing.run(argv, env=env, output=output or self.folder / "out.txt")

    def task_get(self, data: Mapping[str, str], reference: str) -> str:
        """`task _get` (untimed): a task's current id, say."""
        done = subprocess.run(
            ["task", "_get", reference],
            env={**self.env, **data},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=True,
        )
        return done.stdout.strip()

    def task_version(self) -> str:
        data = taskwarrior.private_data(self.fresh("version"))
        done = subprocess.run(
            ["task", "--version"],
            env={**self.env, **data},
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            check=False,
        )
        return done.stdout.strip() or "of unknown version"

    def pairs(
        self,
        first: Callable[[], float],
        second: Callable[[], float] | None,
        *,
        slow: bool = False,
        warmup: bool = True,
    ) -> tuple[list[float], list[float]]:
        runs = self.plan.slow_runs if slow else self.plan.runs
        return timing.alternate(first, second, runs=runs, budget=self.plan.budget, warmup=warmup)


def progress(text: str) -> None:
    print(f"peers: {text}", file=sys.stderr, flush=True)


def lines(path: Path) -> int:
    with path.open("rb") as file:
        return sum(1 for _ in file)


def json_length(path: Path) -> int:
    return len(json.loads(path.read_text()))


def expect(what: str, got: int, wanted: int) -> None:
    if got != wanted:
        raise SystemExit(f"{what}: {got:,} where {wanted:,} were expected")


def prefix_length(ids: Sequence[str]) -> int:
    """How many characters of an id `taskflow list` shows: as many as tell every task
    apart, at least 8. A user types what it shows."""
    length = 8
    while len({task_id[:length] for task_id in ids}) < len(ids):
        length += 1
    return length


def build_ours(bench: Bench, count: int) -> Path:
    """A TaskFlow database of the sample tasks (untimed setup, its time shown)."""
    db = bench.fresh("tasks").with_suffix(".db")
    progress(f"setup: importing {count:,} tasks into TaskFlow…")
    took = bench.ours(db, "import", "-f", "taskwarrior", str(bench.export_file(count))).seconds
    progress(f"setup: TaskFlow imported {count:,} tasks in {took:.1f} s")
    return db


def build_theirs(bench: Bench, count: int) -> dict[str, str]:
    """A Taskwarrior data folder of the same tasks (untimed setup, its time shown)."""
    data = taskwarrior.private_data(bench.fresh("taskwarrior"))
    progress(f"setup: importing {count:,} tasks into Taskwarrior…")
    took = bench.theirs(data, "import", str(bench.export_file(count))).seconds
    progress(f"setup: Taskwarrior imported {count:,} tasks in {took:.1f} s")
    return data


def measure_import(bench: Bench) -> tuple[Figures, Path, dict[str, str]]:
    """The small export into an empty store, each run a new one; the last of each
    tool's stores is kept for the rows at that size."""
    source = bench.export_file(bench.plan.small)
    db: Path = Path()
    data: dict[str, str] = {}

    def ours() -> float:
        nonlocal db
        db = bench.fresh("import").with_suffix(".db")
        return bench.ours(db, "import", "-f", "taskwarrior", str(source)).seconds

    def theirs() -> float:
        nonlocal data
        data = taskwarrior.private_data(bench.fresh("taskwarrior"))
        return bench.theirs(data, "import", str(source)).seconds

    progress(f"import of {bench.plan.small:,} tasks")
    # No warm-up: the file was just written and the code is precompiled.
    figures = bench.pairs(ours, theirs, slow=True, warmup=False)
    return figures, db, data


def measure_list(
    bench: Bench, db: Path, data: Mapping[str, str], size: int, *, json_out: bool = False
) -> Figures:
    """`taskflow list` vs `task list` (or `--json` vs `task export`), each checked to
    print every one of the ``size`` open tasks."""
    ours_out, theirs_out = bench.folder / "ours.txt", bench.folder / "theirs.txt"
    ours_args = ["list", "--json"] if json_out else ["list"]
    theirs_args = ["export"] if json_out else ["list"]

    def ours() -> float:
        return bench.ours(db, *ours_args, output=ours_out).seconds

    def theirs() -> float:
        return bench.theirs(data, *theirs_args, output=theirs_out).seconds

    progress(f"{' '.join(ours_args)} of {size:,} tasks")
    figures = bench.pairs(ours, theirs)
    count = json_length if json_out else lines
    expect(f"taskflow {' '.join(ours_args)}", count(ours_out), size)
    expect(f"task {' '.join(theirs_args)}", count(theirs_out), size)
    return figures


def measure_export(bench: Bench, db: Path, data: Mapping[str, str], out: Path) -> Figures:
    """`taskflow export` vs `task export` at the large size; TaskFlow's file is ``out``."""
    size, theirs_out = bench.plan.large, bench.folder / "theirs.json"

    def ours() -> float:
        return bench.ours(db, "export", output=out).seconds

    def theirs() -> float:
        return bench.theirs(data, "export", output=theirs_out).seconds

    progress(f"export of {size:,} tasks")
    figures = bench.pairs(ours, theirs, slow=True, warmup=False)
    expect("taskflow export", len(json.loads(out.read_text())["tasks"]), size)
    expect("task export", json_length(theirs_out), size)
    return figures


def measure_memory(bench: Bench, db: Path, data: Mapping[str, str]) -> Figures:
    """Peak resident memory of `taskflow list` vs `task list` at the large size."""
    size = bench.plan.large
    ours_out, theirs_out = bench.folder / "ours.txt", bench.folder / "theirs.txt"

    def ours() -> float:
        return bench.ours(db, "list", output=ours_out).peak_mb

    def theirs() -> float:
        return bench.theirs(data, "list", output=theirs_out).peak_mb

    progress(f"peak memory of list at {size:,} tasks")
    figures = bench.pairs(ours, theirs, slow=True, warmup=False)
    expect("taskflow list", lines(ours_out), size)
    expect("task list", lines(theirs_out), size)
    return figures


def measure_json_import(bench: Bench, source: Path) -> Figures:
    """TaskFlow's own JSON of the large size into an empty database, each run a new one."""

    def ours() -> float:
        db = bench.fresh("json-import").with_suffix(".db")
        return bench.ours(db, "import", "-f", "json", str(source)).seconds

    progress(f"import of TaskFlow's JSON, {bench.plan.large:,} tasks")
    return bench.pairs(ours, None, slow=True, warmup=False)


def measure_launch(bench: Bench, db: Path, size: int) -> Figures:
    """`taskflow --db X` vs the floor app in tmux: from the start to the first task
    (the oldest, first in TaskFlow's order) or the floor's line on the terminal."""
    first = str(bench.exports[size][0]["description"])[:30]
    ours_argv = [str(bench.taskflow), "--db", str(db)]
    floor_argv = [sys.executable, str(FLOOR_APP)]

    def ours() -> float:
        return timing.tmux_until_visible(ours_argv, first, env=bench.env)

    def theirs() -> float:
        return timing.tmux_until_visible(floor_argv, LINE, env=bench.env)

    progress(f"launch at {size:,} tasks")
    return bench.pairs(ours, theirs)


def measure_add(bench: Bench, db: Path, data: Mapping[str, str], size: int) -> Figures:
    """Each run adds a task in each tool (a store grows by a few tasks: no matter)."""

    def ours() -> float:
        return bench.ours(db, "add", "Buy milk").seconds

    def theirs() -> float:
        return bench.theirs(data, "add", "Buy", "milk").seconds

    progress(f"add at {size:,} tasks")
    return bench.pairs(ours, theirs)


def measure_done(bench: Bench, db: Path, data: Mapping[str, str], size: int) -> Figures:
    """Each pair marks one more open task done, the same task in both tools."""
    ids = [str(task["uuid"]) for task in bench.exports[size]]
    shown = prefix_length(ids)
    chosen = iter(ids[size // 2 :])  # from the middle: tasks no other row touched
    current = ""

    def ours() -> float:
        nonlocal current
        current = next(chosen)
        return bench.ours(db, "done", current[:shown]).seconds

    def theirs() -> float:
        # Its id as `task list` would show it now, looked up untimed (taskwarrior.py).
        task_id = bench.task_get(data, f"{current}.id")
        if not task_id.isdigit() or task_id == "0":
            raise SystemExit(f"task {current} is not open in Taskwarrior (id {task_id!r})")
        return bench.theirs(data, task_id, "done").seconds

    progress(f"done at {size:,} tasks")
    return bench.pairs(ours, theirs)


def measure_all(bench: Bench) -> dict[str, Figures]:
    """Every row that can run here, reads before writes (see the module docstring)."""
    plan = bench.plan
    figures: dict[str, Figures] = {}
    small_db: Path = Path()
    small_data: dict[str, str] = {}
    if bench.have_task:
        figures["import"], small_db, small_data = measure_import(bench)
    large_db = build_ours(bench, plan.large)
    large_data = build_theirs(bench, plan.large) if bench.have_task else {}
    exported = bench.folder / "export.json"
    if bench.have_task:
        figures["list"] = measure_list(bench, small_db, small_data, plan.small)
        figures["json"] = measure_list(bench, small_db, small_data, plan.small, json_out=True)
        figures["export"] = measure_export(bench, large_db, large_data, exported)
        figures["memory"] = measure_memory(bench, large_db, large_data)
    else:
        bench.ours(large_db, "export", "-o", str(exported))
    figures["json import"] = measure_json_import(bench, exported)
    if timing.have_tmux():
        launch_db = build_ours(bench, plan.launch_small)
        figures["launch small"] = measure_launch(bench, launch_db, plan.launch_small)
        figures["launch large"] = measure_launch(bench, large_db, plan.large)
    if bench.have_task:
        for size, db, data in (
            (plan.small, small_db, small_data),
            (plan.large, large_db, large_data),
        ):
            which = "small" if size == plan.small else "large"
            figures[f"add {which}"] = measure_add(bench, db, data, size)
            figures[f"done {which}"] = measure_done(bench, db, data, size)
    return figures


WHY_SKIPPED = {
    "task": f"`task` (Taskwarrior) not found; install it with `{taskwarrior.INSTALL}`",
    "tmux": "`tmux` not found; install it with `apt-get install tmux`",
}


def shown(value: float, unit: str) -> str:
    if unit == "MB":
        return f"{value:.0f} MB"
    return f"{value * 1000:.0f} ms" if value < 1 else f"{value:.2f} s"


def table(rows: list[Row]) -> list[str]:
    out = [
        "| measure | tasks | TaskFlow | peer | TaskFlow / peer | target | runs |",
        "| --- | ---: | ---: | ---: | ---: | --- | ---: |",
    ]
    for row in rows:
        spec = row.spec
        goal = f"≤ {spec.limit:.1f}x" if spec.peer else f"≤ {spec.limit:g} {spec.unit}"
        start = f"| {spec.measure} | {spec.tasks:,} |"
        if row.skipped:
            out.append(f"{start} - | - | - | {goal} skipped | 0 |")
            continue
        ours = shown(timing.median(row.ours), spec.unit)
        peer = shown(timing.median(row.theirs), spec.unit) if spec.peer else "none"
        ratio = f"{row.figure:.2f}x" if spec.peer else "-"
        verdict = "ok" if row.ok else "MISS"
        out.append(f"{start} {ours} | {peer} | {ratio} | {goal} {verdict} | {len(row.ours)} |")
    return out


def section(*, quick: bool) -> int:
    """Measure and print the peers table; return how many rows missed their target."""
    plan = QUICK if quick else FULL
    have = {"task": taskwarrior.available(), "tmux": timing.have_tmux()}
    for need, present in have.items():
        if not present:
            progress(f"skipping the rows that need it: {WHY_SKIPPED[need]}")
    with tempfile.TemporaryDirectory(prefix="taskflow-peers-") as tmp:
        bench = Bench(Path(tmp), plan)
        version = bench.task_version() if have["task"] else "absent"
        figures = measure_all(bench)
    rows = []
    for spec in specs(plan):
        if spec.key in figures:
            ours, theirs = figures[spec.key]
            rows.append(Row(spec, ours, theirs))
        else:
            rows.append(Row(spec, skipped=WHY_SKIPPED[spec.needs]))
    print("\n" + "\n".join(table(rows)))
    for need, present in have.items():
        if not present:
            print(f"\nskipped: {WHY_SKIPPED[need]}")
    print(
        f"\nmedians of the runs counted (each run: TaskFlow, then its peer); "
        f"Taskwarrior {version}; cores: {os.cpu_count()}; {datetime.now(UTC):%Y-%m-%d}"
    )
    return sum(not row.ok and not row.skipped for row in rows)
