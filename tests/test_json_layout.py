"""JSON positions are found on demand: every pointer of any document lands on its key or value."""

from __future__ import annotations

import json
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from ucxml._jsondocs import _Layout, _read

_KEYS = st.text(alphabet=st.sampled_from('ab/~"\\é \n'), max_size=4)
_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=5),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(_KEYS, inner, max_size=4),
    max_leaves=15,
)


def _pointers(value: Any, path: str = "") -> list[tuple[str, str | int, Any]]:
    found: list[tuple[str, str | int, Any]] = []
    if isinstance(value, dict | list):
        items = value.items() if isinstance(value, dict) else enumerate(value)
        for key, child in items:
            pointer = f"{path}/{str(key).replace('~', '~0').replace('/', '~1')}"
            found.append((pointer, key, child))
            found += _pointers(child, pointer)
    return found


def _offset(text: str, line: int, column: int) -> int:
    lines = text.split("\n")
    return sum(len(row) + 1 for row in lines[: line - 1]) + column - 1


@settings(max_examples=300, deadline=None)
@given(value=_VALUES, indent=st.sampled_from([None, 0, 1, 3]))
def test_every_pointer_is_located_at_its_key_or_value(value: Any, indent: int | None) -> None:
    text = json.dumps(value, indent=indent, ensure_ascii=False)
    layout = _Layout(text)
    assert layout.locate("") == (1, 1)
    for pointer, key, child in _pointers(value):
        line, column = layout.locate(pointer)
        assert line is not None and column is not None
        rest = text[_offset(text, line, column) :]
        expected = json.dumps(key, ensure_ascii=False) if isinstance(key, str) else None
        if expected is not None:  # an object member: located at its key
            assert rest.startswith(expected), (pointer, rest[:20])
        else:  # an array item: located at its value
            assert json.JSONDecoder().raw_decode(rest)[0] == child, (pointer, rest[:20])


def test_a_missing_pointer_is_located_at_its_closest_ancestor() -> None:
    text = '{\n  "a": {\n    "b": [1, 2]\n  }\n}'
    layout = _Layout(text)
    assert layout.locate("/a/b/7") == (3, 5)
    assert layout.locate("/a/zz/1") == (2, 3)


def test_repeated_keys_are_found_with_the_position_of_the_repetition() -> None:
    _, layout = _read('{"a": 1,\n "b": {"c": 1, "c": [2]},\n "a": 3}')
    assert layout.duplicates == [("/b/c", (2, 16)), ("/a", (3, 2))]
    _, clean = _read('{"a": {"a": 1}}')
    assert clean.duplicates == []
