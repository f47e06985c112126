"""Shared switches for the data-safety torture tests: short runs always, long ones on request.

Every torture test runs a short version in the normal suite (a few dozen kills, a
few dozen generated inputs). The long version of each is a separate test item,
marked ``slow`` and run only with ``TASKFLOW_LONG_TESTS=1``:

    TASKFLOW_LONG_TESTS=1 .venv/bin/python -m pytest -m slow tests/safety
"""

from __future__ import annotations

import os
from typing import Any

import pytest

LONG_TESTS_VARIABLE = "TASKFLOW_LONG_TESTS"
LONG_RUNS = os.environ.get(LONG_TESTS_VARIABLE) == "1"


def sizes(short: Any, long: Any) -> list[Any]:
    """Parameters for a test's short run (always) and long run (slow, on request)."""
    return [
        pytest.param(short, id="short"),
        pytest.param(
            long,
            id="long",
            marks=[
                pytest.mark.slow,
                pytest.mark.skipif(
                    not LONG_RUNS, reason=f"long run: set {LONG_TESTS_VARIABLE}=1 to run it"
                ),
            ],
        ),
    ]
