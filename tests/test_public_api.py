"""The public surface: ``__all__`` lists every public name, and errors form one hierarchy."""

from __future__ import annotations

import importlib
import inspect
import pkgutil

import pytest

import ucxml
from ucxml import errors

MODULES = sorted(
    name
    for _, name, _ in pkgutil.walk_packages(ucxml.__path__, "ucxml.")
    if not name.startswith(("ucxml.codegen", "ucxml.generated.")) and not name.endswith("__main__")
)


@pytest.mark.parametrize("name", MODULES)
def test_all_lists_exactly_the_public_names(name: str) -> None:
    module = importlib.import_module(name)
    exported = set(module.__all__)
    for attr in exported:
        assert hasattr(module, attr), f"{name}.__all__ names missing {attr}"
    defined = {
        attr
        for attr, value in vars(module).items()
        if not attr.startswith("_")
        and (inspect.isclass(value) or inspect.isfunction(value))
        and getattr(value, "__module__", None) == name
    }
    assert defined <= exported, f"{name}: public but not in __all__: {defined - exported}"


def test_top_level_names_resolve() -> None:
    for attr in ucxml.__all__:
        assert getattr(ucxml, attr) is not None
    assert ucxml.parse is importlib.import_module("ucxml.documents").parse
    assert ucxml.cme.CmeClient.__name__ == "CmeClient"


def test_every_error_is_a_ucxml_error() -> None:
    for attr in errors.__all__:
        cls = getattr(errors, attr)
        assert issubclass(cls, errors.UcxmlError)
        assert cls.__doc__, attr
        assert attr in (errors.__doc__ or ""), f"{attr} missing from the tree in the docstring"


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError):
        _ = ucxml.does_not_exist
