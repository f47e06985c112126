"""The house rules that tools hold: CI runs the static checks, tests import no conftest.

The checks themselves (ruff, mypy --strict, the import contracts in pyproject.toml)
run in .ci/check, which .ci/run calls after the README's test command; these tests
only make sure that stays wired up and that the checks cover what they should.
"""

from __future__ import annotations

import ast
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_ci_runs_the_static_checks_after_installing_them() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    install = next(i for i, line in enumerate(ci) if "pip install" in line and "[lint]" in line)
    check = next(i for i, line in enumerate(ci) if line.strip() == "bash .ci/check")
    assert install < check
    steps = (ROOT / ".ci" / "check").read_text()
    for tool in ("ruff check .", "ruff format --check .", "mypy", "lint-imports"):
        assert f".venv/bin/{tool}" in steps


def test_types_are_checked_strictly_on_the_store_and_the_front_ends() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]
    assert config["mypy"]["strict"] is True
    assert set(config["mypy"]["files"]) == {"store", "tui"}
    contracts = {c["name"]: c for c in config["importlinter"]["contracts"]}
    assert any(set(c.get("source_modules", [])) == {"store"} for c in contracts.values())
    assert any(set(c.get("source_modules", [])) == {"tui.cli"} for c in contracts.values())
    assert any(c["type"] == "acyclic_siblings" for c in contracts.values())


def test_tests_import_helpers_never_a_conftest() -> None:
    """A conftest holds fixtures; what a test imports lives in tests/**/helpers.py."""
    offenders = []
    for path in sorted((ROOT / "tests").rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
            if isinstance(node, ast.ImportFrom) and (node.module or "").endswith("conftest"):
                offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}")
    assert offenders == []
