"""What both sections share: the environment a child runs in, precompiling, running
one command for its time and peak memory, alternating two commands, and timing a
real terminal (tmux) until a text shows.
"""

from __future__ import annotations

import json
import os
import shlex
import shutil
import statistics
import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The small process that starts each measured command (see benchmarks/child.py).
CHILD = Path(__file__).with_name("child.py")


def child_env(extra: Mapping[str, str] | None = None) -> dict[str, str]:
    """This environment without PYTHONDONTWRITEBYTECODE, plus ``extra``.

    With that variable set, Python never writes its bytecode caches, so every start
    compiles from source whatever has none yet (hundreds of ms for Textual); a user's
    Python caches it once, and the figures must be what a user sees. precompile()
    writes the caches up front; without the variable, a child caches anything missed.
    """
    env = {key: value for key, value in os.environ.items() if key != "PYTHONDONTWRITEBYTECODE"}
    env.update(extra or {})
    return env


def precompile() -> None:
    """Write the bytecode caches once, for the store, the app, the benchmarks and every
    installed package, so that no measured start compiles (see child_env)."""
    site = [path for path in sys.path if path.endswith("site-packages")]
    folders = [ROOT / "store", ROOT / "tui", ROOT / "benchmarks", *map(Path, site)]
    subprocess.run(
        [sys.executable, "-m", "compileall", "-q", "-j", "0", *map(str, folders)],
        env=child_env(),
        stdout=subprocess.DEVNULL,
        check=False,  # a package's odd test file that does not compile is not ours to fix
    )


@dataclass(frozen=True)
class Run:
    seconds: float
    peak_mb: float  # the command's peak resident memory


def run(
    argv: Sequence[str], *, env: Mapping[str, str], output: Path, cwd: Path | None = None
) -> Run:
    """Run ``argv`` to its end, its stdout to ``output`` (a file, not a terminal) and
    its stdin empty, so that nothing can wait for an answer. Fails on a non-zero exit."""
    errors = output.with_name(output.name + ".err")
    done = subprocess.run(
        [sys.executable, "-I", "-S", str(CHILD), str(output), str(errors), "--", *argv],
        env=env,
        cwd=cwd,
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        check=False,
    )
    if done.returncode != 0:
        said = errors.read_text(errors="replace")[-2000:] if errors.exists() else ""
        raise SystemExit(f"failed ({done.returncode}): {shlex.join(argv)}\n{said}{done.stderr}")
    report = json.loads(done.stdout)
    return Run(seconds=float(report["seconds"]), peak_mb=float(report["peak_kib"]) / 1024)


def alternate(
    first: Callable[[], float],
    second: Callable[[], float] | None,
    *,
    runs: int,
    budget: float,
    warmup: bool,
) -> tuple[list[float], list[float]]:
    """Measure two commands in turn, first second first second …, so that what the
    machine does meanwhile falls on both alike. An untimed warm-up pair first when
    ``warmup`` (page cache, first-use paths). Stops before ``runs`` pairs once the row
    has taken ``budget`` seconds, so that a slow row cannot eat the whole run; at
    least one pair is always measured (the table says how many)."""
    if warmup:
        first()
        if second is not None:
            second()
    ours: list[float] = []
    theirs: list[float] = []
    begin = time.perf_counter()
    while len(ours) < runs and (not ours or time.perf_counter() - begin < budget):
        ours.append(first())
        if second is not None:
            theirs.append(second())
    return ours, theirs


def median(values: Sequence[float]) -> float:
    return statistics.median(values) if values else float("nan")


def tmux_until_visible(
    command: Sequence[str], text: str, *, env: Mapping[str, str], timeout: float = 60.0
) -> float:
    """Seconds from starting ``command`` in a new 100x30 tmux terminal to ``text``
    shown on it (capture-pane: what a person would see)."""
    # A tmux server of our own each time: nobody else's sessions, no race with the
    # previous server shutting down on the same socket, and the command gets ``env``
    # (a new server's panes inherit the environment of the client that starts it).
    tmux = ("tmux", "-L", f"taskflow-bench-{uuid.uuid4().hex[:8]}")
    begin = time.perf_counter()
    started = subprocess.run(
        [*tmux, "new-session", "-d", "-s", "bench", "-x", "100", "-y", "30", shlex.join(command)],
        capture_output=True,
        text=True,
        env=dict(env),
        check=False,
    )
    if started.returncode != 0:
        raise SystemExit(f"tmux could not start: {started.stderr.strip()}")
    try:
        screen = ""
        while time.perf_counter() < begin + timeout:
            screen = subprocess.run(
                [*tmux, "capture-pane", "-p", "-t", "bench"],
                capture_output=True,
                text=True,
                check=False,
            ).stdout
            if text in screen:
                return time.perf_counter() - begin
            time.sleep(0.005)
        raise SystemExit(f"{text!r} not shown within {timeout:g} s by {command}:\n{screen}")
    finally:
        subprocess.run([*tmux, "kill-server"], capture_output=True, check=False)


def have_tmux() -> bool:
    return shutil.which("tmux") is not None


@contextmanager
def cpu_load(on: bool) -> Iterator[None]:
    """With ``on``, a second process busy on one core for as long as the block runs:
    the machine of a user who has something else going (--load)."""
    if not on:
        yield
        return
    burner = subprocess.Popen([sys.executable, "-c", "while True: pass"], env=child_env())
    print(f"--load: a busy loop runs as process {burner.pid}", file=sys.stderr)
    try:
        yield
    finally:
        burner.kill()
        burner.wait()
