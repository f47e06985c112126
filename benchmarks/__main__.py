"""Measure TaskFlow at a small and a large size in one run, and print the ratios.

    python -m benchmarks            # 100 and 100,000 tasks
    python -m benchmarks --quick    # 100 and 2,000 tasks: keeps this code from rotting

The full-screen section lives in benchmarks/screen.py.
"""

from __future__ import annotations

import argparse
import sys

from benchmarks import screen


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="small sizes, for CI")
    parser.add_argument("--repeats", type=int, default=5)
    args = parser.parse_args()
    missed = screen.section(quick=args.quick, repeats=args.repeats)
    # Timings are reported, never judged, in --quick mode: CI machines are noisy.
    return 0 if args.quick or not missed else 1


if __name__ == "__main__":
    sys.exit(main())
