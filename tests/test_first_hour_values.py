"""Values print as they are sent, and help() answers: enums, docstrings, errata hint texts."""

from __future__ import annotations

import dataclasses
import enum
import inspect
import json
import pydoc
import subprocess
import sys
from pathlib import Path

import pytest

import ucxml
from ucxml.bindings import AsyncOperations, SyncOperations
from ucxml.cme import AsyncCmeClient, CmeClient, DeviceStatus, UserType
from ucxml.cup import AsyncCupClient, CupClient
from ucxml.em import AsyncEmClient, EmClient
from ucxml.generated import cme, cup, em, pidf, uccn
from ucxml.huawei import AgentGatewayClient, AsyncAgentGatewayClient

ROOT = Path(__file__).resolve().parents[1]
MODELS = [m.models for m in (cme, cup, em, pidf, uccn)]
ENUMS = [
    pytest.param(value, id=f"{module.__name__}.{name}")
    for module in MODELS
    for name, value in vars(module).items()
    if inspect.isclass(value)
    and issubclass(value, enum.Enum)
    and value.__module__ == module.__name__
]


def test_every_generated_enumeration_is_found() -> None:
    assert len(ENUMS) >= 20


@pytest.mark.parametrize("kind", ENUMS)
def test_str_of_every_generated_member_is_its_wire_value(kind: type[enum.Enum]) -> None:
    for member in kind:
        assert str(member) == str(member.value)
        assert f"{member}" == str(member.value)
        assert not member.name.startswith("VALUE_"), f"{kind.__name__}.{member.name} has no name"


def test_cme_prints_like_em() -> None:
    assert str(DeviceStatus.REGISTERED) == "registered"
    assert DeviceStatus.REGISTERED == "registered"
    assert UserType.EPHONE_USER.value == 1 and str(UserType.EPHONE_USER) == "1"


def test_parsed_enums_are_members_not_plain_strings() -> None:
    path = ROOT / "schemas/cme/examples/corrected/11-ISgetDevice-sccp-response.xml"
    answer = ucxml.parse(path, type=cme.models.ISgetDeviceResponse)
    assert all(type(d.dev_status) is DeviceStatus for d in answer.device)


CLIENTS = [
    CmeClient,
    AsyncCmeClient,
    EmClient,
    AsyncEmClient,
    CupClient,
    AsyncCupClient,
    AgentGatewayClient,
    AsyncAgentGatewayClient,
]


@pytest.mark.parametrize("client", CLIENTS, ids=[c.__name__ for c in CLIENTS])
def test_help_of_a_client_documents_its_constructor(client: type[object]) -> None:
    text = pydoc.render_doc(client, renderer=pydoc.plaintext)
    assert "Initialize self" not in text
    assert client.__init__.__doc__ and "base_url" in client.__init__.__doc__


STUBS = [cme.operations, cup.operations, em.operations, pidf.operations, uccn.operations]
METHODS = [
    pytest.param(function, id=f"{cls.__name__}.{name}")
    for module in STUBS
    for cls in vars(module).values()
    if inspect.isclass(cls)
    and issubclass(cls, SyncOperations | AsyncOperations)
    and cls.__module__ == module.__name__
    for name, function in vars(cls).items()
    if inspect.isfunction(function) and not name.startswith("_")
]


@pytest.mark.parametrize("function", METHODS)
def test_every_generated_method_documents_its_parameters_and_errors(function: object) -> None:
    doc = inspect.getdoc(function) or ""
    parameters = [p for p in inspect.signature(function).parameters if p != "self"]  # type: ignore[arg-type]
    assert "Raises:" in doc and "MalformedResponseError" in doc
    if parameters:
        assert "Args:" in doc
        for name in parameters:
            assert f"    {name}: " in doc, f"{name} is not documented"
        assert "Not documented by the schema" not in doc


def test_get_device_documents_keywords_and_how_filters_combine() -> None:
    doc = inspect.getdoc(cme.operations.CmeOperations.get_device) or ""
    assert "allRegistered" in doc and "union" in doc and "stream" in doc


def test_issue_hint_text_names_the_erratum() -> None:
    path = ROOT / "schemas/cme/examples/documented/15-ISgetExtension-sccp-response.xml"
    report = ucxml.validate(path)
    hinted = [i for i in report.issues if i.hint == "E05"]
    assert hinted and hinted[0].hint_text and "firstname" in hinted[0].hint_text
    assert hinted[0].to_dict()["hint_text"] == hinted[0].hint_text
    out = subprocess.run(
        [sys.executable, "-m", "ucxml", "validate", "--format", "json", str(path)],
        capture_output=True,
        text=True,
    ).stdout
    issues = [i for r in json.loads(out) for i in r["issues"] if i["hint"] == "E05"]
    assert issues and issues[0]["hint_text"] == hinted[0].hint_text
    assert dataclasses.replace(hinted[0]).hint_text == hinted[0].hint_text
