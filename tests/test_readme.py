"""The README's two set-up commands are the ones a newcomer copies: keep them true."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def setup_commands() -> list[str]:
    text = (ROOT / "README.md").read_text()
    return re.findall(r"```sh\n(.+?)\n```", text, flags=re.DOTALL)[:2]


def test_readme_starts_with_exactly_two_commands_install_run_and_test() -> None:
    run_app, run_tests = setup_commands()
    assert "\n" not in run_app and "\n" not in run_tests
    assert "pip install -e ." in run_app and run_app.endswith("taskflow")
    assert "pip install -e '.[test]'" in run_tests and run_tests.endswith("-m pytest")
    # Nothing but a title and a line of description may come before them.
    head = (ROOT / "README.md").read_text().split("```sh", 1)[0]
    assert len([line for line in head.splitlines() if line.strip()]) <= 2


def test_ci_runs_the_readme_test_command_verbatim() -> None:
    _, run_tests = setup_commands()
    ci = (ROOT / ".ci" / "run").read_text()
    assert run_tests in ci.splitlines()


def test_the_script_the_readme_runs_is_the_installed_entry_point() -> None:
    pyproject = (ROOT / "pyproject.toml").read_text()
    assert 'taskflow = "tui.cli:main"' in pyproject
