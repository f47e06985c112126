"""Peak memory and time of `taskflow import FILE --dry-run` for a JSON export of N tasks.

    python -m benchmarks.import_memory                  # 10,000 and 100,000 tasks
    python -m benchmarks.import_memory --tasks 250000   # any sizes
    python -m benchmarks.import_memory --near-limit     # a file just under the size limit

Each size runs in a fresh process under /usr/bin/time -v (its "Maximum resident set
size"), so one run's memory never counts in another's. The figures are for the
README and the report, never for an assertion: they depend on the machine.
"""

from __future__ import annotations

import argparse
import re
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

from store import transfer

# Each task as our export writes it, about 370 bytes: the shape of the 220 MB,
# 600,000-task file of issue 13.
# The limit this TaskFlow states (for a version that states none, as 128 MiB).
MAX_BYTES: int = getattr(transfer, "MAX_IMPORT_BYTES", 128 * 2**20)
TITLE_WORDS = ("buy", "milk", "call", "mum", "pay", "rent", "fix", "bike", "plan", "trip")


def task(number: int) -> dict[str, object]:
    words = " ".join(TITLE_WORDS[(number + k) % len(TITLE_WORDS)] for k in range(4))
    return {
        "id": str(uuid.UUID(int=number + 1, version=4)),
        "title": f"{words} {number}",
        "description": "",
        "completed": number % 3 == 0,
        "created_at": "2026-11-20T09:30:00.000000Z",
        "updated_at": "2026-11-20T09:30:00.000000Z",
        "version": 1,
        "due": "2026-12-01" if number % 4 == 0 else None,
        "priority": "none",
        "tags": ["work"] if number % 5 == 0 else [],
        "position": float(number + 1),
    }


def write_export(path: Path, count: int, *, limit: int | None = None) -> int:
    """Our JSON with ``count`` tasks (or as many as fit under ``limit`` bytes)."""
    written = 0
    with path.open("w", encoding="utf-8") as out:
        out.write('{\n  "format": "taskflow",\n  "format_version": 2,\n  "tasks": [')
        size = out.tell()
        for number in range(count):
            item = "\n".join("    " + line for line in transfer.dumps(task(number)).split("\n"))
            piece = (",\n" if written else "\n") + item
            if limit is not None and size + len(piece) + 8 > limit:
                break
            out.write(piece)
            size += len(piece)
            written += 1
        out.write("\n  ]\n}\n")
    return written


def measure(file: Path, folder: Path) -> tuple[float, float, int, str]:
    """Peak resident memory (MiB), wall time (s), exit status and the last output line."""
    command = [
        "/usr/bin/time",
        "-v",
        sys.executable,
        "-m",
        "tui",
        "--db",
        str(folder / "bench.db"),
        "import",
        str(file),
        "--dry-run",
    ]
    started = time.perf_counter()
    done = subprocess.run(command, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    match = re.search(r"Maximum resident set size \(kbytes\): (\d+)", done.stderr)
    peak = int(match.group(1)) / 1024 if match else float("nan")
    said = [line for line in (done.stdout + done.stderr).splitlines() if line.strip()]
    first = next((line for line in said if not line.startswith("\t")), "")
    return peak, elapsed, done.returncode, first


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--tasks", type=int, nargs="*", default=[10_000, 100_000])
    parser.add_argument(
        "--near-limit",
        action="store_true",
        help=f"a file just under MAX_IMPORT_BYTES ({MAX_BYTES:,} bytes)",
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="taskflow-import-bench-") as name:
        folder = Path(name)
        runs: list[tuple[str, Path, int]] = []
        for count in args.tasks:
            path = folder / f"tasks-{count}.json"
            runs.append((f"{count:,} tasks", path, write_export(path, count)))
        if args.near_limit:
            path = folder / "near-limit.json"
            count = write_export(path, 10**9, limit=MAX_BYTES - 1)
            runs.append(("just under the limit", path, count))
        print(f"{'file':<22}{'tasks':>10}{'MiB':>9}{'peak RSS MiB':>14}{'seconds':>9}  status")
        for label, path, count in runs:
            size = path.stat().st_size / 2**20
            peak, elapsed, code, said = measure(path, folder)
            print(f"{label:<22}{count:>10,}{size:>9.1f}{peak:>14.0f}{elapsed:>9.1f}  {code} {said}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
