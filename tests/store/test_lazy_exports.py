"""store/__init__.py names its public API three times (the imports mypy reads, the
lazy table, __all__): these keep the three in step, and every name importable."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import store

pytestmark = pytest.mark.sqlite_only  # no database involved

INIT = Path(store.__file__)


def type_checking_imports() -> set[str]:
    tree = ast.parse(INIT.read_text())
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            for statement in node.body:
                assert isinstance(statement, ast.ImportFrom)
                names.update(alias.asname or alias.name for alias in statement.names)
    return names


def test_the_lazy_table_the_imports_and_all_name_the_same_things() -> None:
    lazy = set(store._EXPORTS)
    assert lazy - {"utc_now"} == type_checking_imports()
    assert set(store.__all__) == lazy | {"open_store"}


def test_every_public_name_resolves_to_what_its_module_holds() -> None:
    for name, module_name in store._EXPORTS.items():
        module = importlib.import_module(module_name)
        expected = module if module_name == f"store.{name}" else getattr(module, name)
        assert getattr(store, name) is expected, name


def test_an_unknown_name_is_an_attribute_error() -> None:
    with pytest.raises(AttributeError, match="no attribute 'nothing_here'"):
        store.nothing_here  # noqa: B018


def test_importing_the_package_loads_no_module_it_does_not_need() -> None:
    code = "import sys, store; print(sorted(m for m in sys.modules if m.startswith('store')))"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, timeout=60
    )
    assert result.stdout.strip() == "['store', 'store.clock', 'store.driverless']"
