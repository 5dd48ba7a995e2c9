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
    assert ucxml.parse is importlib.import_module("ucxml._documents").parse
    assert ucxml.cme.CmeClient.__name__ == "CmeClient"


def test_every_error_is_a_ucxml_error() -> None:
    for attr in errors.__all__:
        cls = getattr(errors, attr)
        if not inspect.isclass(cls):  # the Literal aliases of closed sets (AxlErrorStyle)
            continue
        assert issubclass(cls, errors.UcxmlError)
        assert cls.__doc__, attr
        assert attr in (errors.__doc__ or ""), f"{attr} missing from the tree in the docstring"


def test_unknown_attribute() -> None:
    with pytest.raises(AttributeError):
        _ = ucxml.does_not_exist


def test_every_server_error_has_its_code_as_text() -> None:
    """``code`` is the server's code as sent, a ``str`` on every server error; ``number``
    reads it as an int where it is one."""
    assert e_code(errors.EmError(18)) == ("18", 18)
    assert e_code(errors.AxlError(-239)) == ("-239", -239)
    assert e_code(errors.AxlError(None, "throttled", style="http")) == ("", None)
    assert e_code(errors.GatewayError("100-006")) == ("100-006", None)
    assert e_code(errors.SoapFault("Sender")) == ("Sender", None)
    assert e_code(errors.CmeSaveConfigError()) == ("fail", None)
    assert e_code(errors.CupError("login")) == ("", None)


def e_code(error: errors.ServerError) -> tuple[str, int | None]:
    assert isinstance(error.code, str)
    return error.code, error.number


def test_the_emulators_exceptions_are_ucxml_errors() -> None:
    from ucxml.emulator import cup_app

    fault = cup_app.SoapFault("no such session", sender=True)
    assert isinstance(fault, errors.SoapFault) and isinstance(fault, errors.UcxmlError)
    assert (fault.code, fault.reason, fault.status_code) == ("Sender", "no such session", 400)
    assert cup_app.SoapFault("x", not_understood=("{u}b",)).code == "MustUnderstand"
    assert cup_app.SoapFault("x", sender=False).status_code == 500


# the private modules (ucxml._emcore...) are reachable by import only, not as attributes
PUBLIC_SUBMODULES = sorted({part for m in MODULES if not (part := m.split(".")[1]).startswith("_")})


@pytest.mark.parametrize("name", PUBLIC_SUBMODULES)
def test_every_public_module_is_an_attribute_of_the_package(name: str) -> None:
    """``import ucxml; ucxml._validation`` works for every public module, loaded on first use."""
    assert getattr(ucxml, name) is importlib.import_module(f"ucxml.{name}")
    assert name in dir(ucxml)
