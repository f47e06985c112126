"""Measure TaskFlow and print the figures against their targets.

    python -m benchmarks                     # both sections, full sizes
    python -m benchmarks --quick             # small sizes: keeps this code from rotting
    python -m benchmarks --only peers        # one section: screen, peers, config or sync
    python -m benchmarks --only screen --runs 3 --load

Three sections:
- screen (benchmarks/screen.py): the full-screen app at 100 and 100,000 tasks,
  each figure's ratio within 1.3x;
- peers (benchmarks/peers.py): the command line against Taskwarrior 2.6 (`task`)
  on the same tasks, and the launch against the smallest Textual app
  (benchmarks/floor_app.py);
- config (benchmarks/config_cost.py): what reading the config file adds to a
  scripted `taskflow add`, with and without a file;
- sync (benchmarks/sync_cost.py): CalDAV sync against a real Radicale: the first
  sync of 1,000 tasks, and one change among 10,000 (time and HTTP requests).
"""

from __future__ import annotations

import argparse
import sys
import time

from benchmarks import config_cost, peers, screen, sync_cost, timing


def main() -> int:
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    parser.add_argument(
        "--only", choices=("screen", "peers", "config", "sync"), help="run one section"
    )
    parser.add_argument(
        "--repeats", type=int, default=5, help="measurements of each screen figure per run"
    )
    parser.add_argument(
        "--runs", type=int, default=1, help="the screen section K times in a row, a table each"
    )
    parser.add_argument(
        "--load",
        action="store_true",
        help="a second process busy on one core (a busy loop) for the whole run",
    )
    args = parser.parse_args()
    begin = time.perf_counter()
    # Once, before anything is timed: every child then loads cached bytecode.
    print("precompiling…", file=sys.stderr)
    timing.precompile()
    missed = 0
    with timing.cpu_load(args.load):
        if args.only in (None, "screen"):
            missed += screen.section(quick=args.quick, repeats=args.repeats, runs=args.runs)
        if args.only in (None, "peers"):
            missed += peers.section(quick=args.quick)
        if args.only in (None, "config"):
            missed += config_cost.section(quick=args.quick)
        if args.only in (None, "sync"):
            missed += sync_cost.section(quick=args.quick)
    print(f"took {time.perf_counter() - begin:.0f} s", file=sys.stderr)
    # Timings are reported, never judged, in --quick mode: CI machines are noisy.
    return 0 if args.quick or not missed else 1


if __name__ == "__main__":
    sys.exit(main())
