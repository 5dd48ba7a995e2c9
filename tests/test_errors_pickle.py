"""Every ucxml error survives pickle and copy with its type, attributes and text.

A process pool pickles an error raised in a worker to hand it to the parent: one that
cannot be rebuilt turns "outcome unknown" into ``BrokenProcessPool``, and one rebuilt by
calling ``__init__`` with its finished text reads "EM error EM error 25 ...".
"""

from __future__ import annotations

import copy
import pickle
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor
from typing import Any

import pytest

import ucxml
from ucxml import errors as e
from ucxml.emulator import cup_app, cup_state

_TIMEOUT = e.RequestTimeoutError("no answer within 5 s")
_TIMEOUT.attempts = 2

#: One instance of every error class, with the attributes its raisers set.
EXAMPLES: dict[type[e.UcxmlError], Callable[[], e.UcxmlError]] = {
    e.UcxmlError: lambda: e.UcxmlError("base"),
    e.XmlError: lambda: e.XmlError("bad", line=3, column=7),
    e.XmlSyntaxError: lambda: e.XmlSyntaxError("not well-formed", line=1, column=2),
    e.ForbiddenXmlError: lambda: e.ForbiddenXmlError("DOCTYPE refused", line=1),
    e.XmlLimitError: lambda: e.XmlLimitError("over 256 MiB"),
    e.BindingError: lambda: _binding(e.BindingError),
    e.UnknownApiError: lambda: _binding(e.UnknownApiError),
    e.UnknownMessageError: lambda: _binding(e.UnknownMessageError),
    e.TransportError: lambda: e.TransportError("exchange failed"),
    e.ConnectError: lambda: e.ConnectError("refused"),
    e.TlsError: lambda: e.TlsError("handshake failed"),
    e.TlsVerificationError: lambda: e.TlsVerificationError("untrusted"),
    e.RequestTimeoutError: lambda: _TIMEOUT,
    e.OutcomeUnknownError: lambda: e.OutcomeUnknownError("exec_cli", _TIMEOUT),
    e.HttpStatusError: lambda: e.HttpStatusError(500, "Internal", excerpt="'aé'"),
    e.AuthenticationError: lambda: e.AuthenticationError(401, "Unauthorized"),
    e.MalformedResponseError: lambda: e.MalformedResponseError("expected XML, got text/html"),
    e.ResponseTooLargeError: lambda: e.ResponseTooLargeError("over the 268,435,456-byte limit"),
    e.ServerError: lambda: e.ServerError("failed"),
    e.CmeError: lambda: e.CmeError("failed"),
    e.CmeCliError: lambda: e.CmeCliError(3, "% Invalid input"),
    e.CmeSetResultError: lambda: e.CmeSetResultError(
        "ISsetResult", results=(True, False), items=("a", "b")
    ),
    e.CmeSaveConfigError: e.CmeSaveConfigError,
    e.EmError: lambda: e.EmError(25, "Device does not exist", "Device does not exist"),
    e.GatewayError: lambda: e.GatewayError("100-006", "agent not signed in", "not signed in"),
    e.EventPollingError: lambda: e.EventPollingError("000-001", "wrong way", None),
    e.SoapFault: lambda: e.SoapFault("Sender", "bad", subcodes=("InvalidSession",)),
    e.AxlError: lambda: e.AxlError(5007, "Item not valid", request="getUser", status=500),
    e.CupError: lambda: e.CupError("add-contact", "contact exists"),
    e.CupLoginError: lambda: e.CupLoginError("login", "Wrong username/password"),
    e.CupSessionError: lambda: e.CupSessionError("get-contacts", "expired", state="expired"),
    e.CupItemError: lambda: e.CupItemError("add-contact", "one failed", items=("a", "b")),
    e.MessageFormatError: lambda: e.MessageFormatError("no boundary", line=4),
    e.InputFileError: lambda: e.InputFileError("/captures/a.xml", "not found", errno=2),
    e.ParameterError: lambda: e.ParameterError("reason must be 1-255"),
    e.TlsConfigurationError: lambda: e.TlsConfigurationError("ca_bundle holds no certificate"),
    # The emulator's own: inside the same tree, so one ``except UcxmlError`` catches them.
    cup_app.SoapFault: lambda: cup_app.SoapFault("Session expired", not_understood=("{x}y",)),
    cup_state.InvalidSession: lambda: cup_state.InvalidSession("k", expired=True),
}


def _binding(cls: type[e.BindingError]) -> e.BindingError:
    error = cls("unknown element <x>", path="/response/x", line=4)
    error.api = "em"
    return error


def _subclasses(cls: type[e.UcxmlError]) -> set[type[e.UcxmlError]]:
    found = {cls}
    for sub in cls.__subclasses__():
        found |= _subclasses(sub)
    return found


def _same(a: Any, b: Any) -> bool:
    """Equal, errors compared by type, text and attributes (they have no ``__eq__``)."""
    if isinstance(a, BaseException):
        return (
            type(a) is type(b)
            and str(a) == str(b)
            and a.args == b.args
            and _same(vars(a), vars(b))
            and (not isinstance(a, OSError) or (a.errno, a.filename) == (b.errno, b.filename))
        )
    if isinstance(a, dict):
        return a.keys() == b.keys() and all(_same(a[k], b[k]) for k in a)
    if isinstance(a, tuple | list):
        return len(a) == len(b) and all(_same(x, y) for x, y in zip(a, b, strict=True))
    return bool(a == b)


def test_every_error_class_has_an_example() -> None:
    # ucxml's public names load every module that defines an error (the emulator's are
    # imported above).
    for name in ucxml.__all__:
        getattr(ucxml, name)
    assert _subclasses(e.UcxmlError) == set(EXAMPLES)


COPIES: dict[str, Callable[[Any], Any]] = {
    "pickle": lambda error: pickle.loads(pickle.dumps(error)),
    "pickle-protocol-0": lambda error: pickle.loads(pickle.dumps(error, protocol=0)),
    "copy": copy.copy,
    "deepcopy": copy.deepcopy,
}


@pytest.mark.parametrize("how", COPIES, ids=list(COPIES))
@pytest.mark.parametrize("cls", EXAMPLES, ids=lambda c: c.__name__)
def test_an_error_survives_pickle_and_copy(cls: type[e.UcxmlError], how: str) -> None:
    error = EXAMPLES[cls]()
    assert type(error) is cls
    again = COPIES[how](error)
    assert _same(error, again), (str(error), str(again), vars(error), vars(again))
    assert isinstance(again, cls) and again is not error


def _raise_outcome_unknown() -> None:
    raise e.OutcomeUnknownError("exec_cli", e.RequestTimeoutError("no answer"))


def test_a_process_pool_hands_the_error_to_the_parent() -> None:
    with ProcessPoolExecutor(max_workers=1) as pool:
        future = pool.submit(_raise_outcome_unknown)
        with pytest.raises(e.OutcomeUnknownError) as raised:
            future.result(timeout=60)
    assert raised.value.operation == "exec_cli"
    assert isinstance(raised.value.cause, e.RequestTimeoutError)
    assert str(raised.value).startswith("exec_cli: the request was sent but its answer was lost")
