"""store.formats: JSON as every output writes it, the same text as json.dumps gives."""

from __future__ import annotations

import json
from enum import IntEnum, StrEnum
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from store import formats

pytestmark = pytest.mark.sqlite_only  # no database involved

scalars = (
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=True, allow_infinity=True)
    | st.text()  # every code point: controls, quotes, backslashes, lone surrogates
)
values = st.recursive(
    scalars,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.tuples(inner, inner)
        | st.dictionaries(st.text(max_size=8), inner, max_size=5)
    ),
    max_leaves=40,
)


def reference(value: Any) -> str:
    return json.dumps(value, indent=2, ensure_ascii=False)


@settings(max_examples=500, deadline=None)
@given(values)
def test_dumps_writes_what_json_dumps_writes(value: Any) -> None:
    assert formats.dumps(value) == reference(value)


class Level(IntEnum):
    HIGH = 3


class Colour(StrEnum):
    RED = "red"


@pytest.mark.parametrize(
    "value",
    [
        {"priority": Level.HIGH, "colour": Colour.RED, "flag": True, "none": None},
        {1: "a key that is not text", "b": [1.5, -0.0, 1e300]},  # json's own conversion
        [[], {}, [[]], {"a": {}}],
        {"title": '[bold]x[/] \x00 \x1b[31m \u2028 \ud800 "q" \\ é 漢'},
    ],
)
def test_dumps_on_shapes_the_outputs_meet(value: Any) -> None:
    assert formats.dumps(value) == reference(value)


def test_a_value_json_cannot_write_is_refused_as_json_refuses_it() -> None:
    with pytest.raises(TypeError):
        formats.dumps({"when": object()})


@settings(max_examples=200, deadline=None)
@given(values, st.integers(min_value=0, max_value=4))
def test_dumps_at_a_depth_reads_as_the_value_nested_that_deep(value: Any, depth: int) -> None:
    # What a document holding the value at that depth shows for it (write_json's tasks).
    nested: Any = value
    for _ in range(depth):
        nested = [nested]
    lines = reference(nested).split("\n")
    inner = "\n".join(lines[depth : len(lines) - depth]).removeprefix("  " * depth)
    assert formats.dumps(value, depth=depth) == inner


def test_dumps_at_a_depth_also_for_values_only_json_writes() -> None:
    value = {1: "a key that is not text", "b": [1]}
    assert formats.dumps(value, depth=2) == reference(value).replace("\n", "\n    ")
