"""Issue 18's proof: an API is a schema plus a manifest entry, with no edit of the core.

A small fixture API (an XSD with two operations, an enumeration and a repeated element, and
one manifest entry, written into a temporary folder) goes through the generator into a
package of its own, is registered with the runtime, and then works as a bundled API does:
a typed client over a mock transport (the exact XML sent, the typed answer read back, sync
and async), ``ucxml.validate`` (line, column, path of an invalid value), ``ucxml.detect``,
discovery through the ``ucxml.apis`` entry-point group, and mypy's view of the client's
return types. Nothing under ``runtime/``, ``codegen/`` or ``generated/`` changes.
"""

from __future__ import annotations

import asyncio
import hashlib
import importlib
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from types import ModuleType

import pytest

import ucxml
from ucxml import _registry as registry
from ucxml.errors import MalformedResponseError, ParameterError
from ucxml.transport import AsyncMockTransport, HttpResponse, MockTransport

from canonical import canonical

ROOT = Path(__file__).resolve().parents[1]
NS = "urn:example:fixture"
#: The package the fixture's bindings are generated into (a top-level one of the user's).
PACKAGE = "fixture_bindings"

XSD = """\
<?xml version="1.0" encoding="UTF-8"?>
<xs:schema xmlns:xs="http://www.w3.org/2001/XMLSchema" xmlns:fx="urn:example:fixture"
           targetNamespace="urn:example:fixture" elementFormDefault="qualified">
  <xs:simpleType name="PhoneStatus">
    <xs:annotation><xs:documentation>Registration state of a phone.</xs:documentation>
    </xs:annotation>
    <xs:restriction base="xs:string">
      <xs:enumeration value="registered"/>
      <xs:enumeration value="unregistered"/>
    </xs:restriction>
  </xs:simpleType>
  <xs:complexType name="Phone">
    <xs:sequence>
      <xs:element name="name" type="xs:string"/>
      <xs:element name="status" type="fx:PhoneStatus"/>
      <xs:element name="line" type="xs:int" minOccurs="0" maxOccurs="unbounded"/>
    </xs:sequence>
  </xs:complexType>
  <xs:element name="getPhone">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="name" type="xs:string">
          <xs:annotation><xs:documentation>The phone's device name.</xs:documentation>
          </xs:annotation>
        </xs:element>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
  <xs:element name="getPhoneResponse">
    <xs:complexType>
      <xs:sequence><xs:element name="phone" type="fx:Phone"/></xs:sequence>
    </xs:complexType>
  </xs:element>
  <xs:element name="listPhones">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="status" type="fx:PhoneStatus" minOccurs="0"/>
        <xs:element name="max" type="xs:int" minOccurs="0"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
  <xs:element name="listPhonesResponse">
    <xs:complexType>
      <xs:sequence>
        <xs:element name="phone" type="fx:Phone" minOccurs="0" maxOccurs="unbounded"/>
      </xs:sequence>
    </xs:complexType>
  </xs:element>
</xs:schema>
"""

# One API entry: schema data only (no xsdata configuration, no hooks, no client module).
MANIFEST = """\
[apis.fixture]
title = "Fixture phone directory API"
schemas = ["fixture.xsd"]
envelope = "document"
dispatch = "root"
endpoints = ["/fixture/api"]

[[apis.fixture.operations]]
name = "getPhone"
request = "GetPhone"
response = "GetPhoneResponse"
method = "get_phone"
idempotent = true
doc = "One phone by its device name."

[[apis.fixture.operations]]
name = "listPhones"
request = "ListPhones"
response = "ListPhonesResponse"
method = "list_phones"
doc = "The phones, only those in one state if given, at most max of them."
"""

LIST_ANSWER = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<fx:listPhonesResponse xmlns:fx="urn:example:fixture">\n'
    b"  <fx:phone><fx:name>SEP0011</fx:name><fx:status>registered</fx:status>"
    b"<fx:line>1</fx:line><fx:line>2</fx:line></fx:phone>\n"
    b"  <fx:phone><fx:name>SEP0022</fx:name><fx:status>registered</fx:status></fx:phone>\n"
    b"</fx:listPhonesResponse>\n"
)
GET_ANSWER = (
    b'<getPhoneResponse xmlns="urn:example:fixture"><phone><name>SEP0011</name>'
    b"<status>unregistered</status><line>7</line></phone></getPhoneResponse>"
)
INVALID = (
    b'<listPhonesResponse xmlns="urn:example:fixture">\n'
    b"<phone><name>SEP0011</name><status>gone</status></phone>\n"
    b"</listPhonesResponse>\n"
)


def _tree_digest(*folders: str) -> dict[str, str]:
    """The SHA-256 of every file under the folders (caches left out)."""
    digests = {}
    for folder in folders:
        for path in sorted((ROOT / folder).rglob("*")):
            if path.is_file() and "__pycache__" not in path.parts:
                digests[str(path.relative_to(ROOT))] = hashlib.sha256(path.read_bytes()).hexdigest()
    return digests


def _codegen(work: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "ucxml.codegen", "--manifest", "api/manifest.toml", *args],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )


@pytest.fixture(scope="module")
def work(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    """A folder with the fixture's schema and manifest, and its generated package
    ``fixture_bindings``, on sys.path; the core's files hashed before and after."""
    core = ("runtime", "codegen", "generated")
    before = _tree_digest(*core)
    folder = tmp_path_factory.mktemp("fixture-api")
    (folder / "api").mkdir()
    (folder / "api/fixture.xsd").write_text(XSD, encoding="utf-8")
    (folder / "api/manifest.toml").write_text(MANIFEST, encoding="utf-8")
    done = _codegen(folder, "--out", PACKAGE, "--package", PACKAGE)
    assert done.returncode == 0, done.stdout + done.stderr
    assert f"(package {PACKAGE})" in done.stdout
    sys.path.insert(0, str(folder))
    try:
        yield folder
    finally:
        sys.path.remove(str(folder))
        for name in [m for m in sys.modules if m.split(".")[0] == PACKAGE]:
            del sys.modules[name]
        assert _tree_digest(*core) == before, "the fixture API changed a file of the core"


@pytest.fixture
def api(work: Path) -> Iterator[ModuleType]:
    """The fixture API registered with the runtime (forgotten afterwards)."""
    assert ucxml.register_api(PACKAGE) == ["fixture"]
    try:
        yield importlib.import_module(f"{PACKAGE}.fixture")
    finally:
        registry.unregister_api("fixture")


def _answer(body: bytes) -> MockTransport:
    return MockTransport(lambda _: HttpResponse(200, body, {"content-type": "application/xml"}))


def test_generated_files_and_check(work: Path) -> None:
    files = sorted(
        str(p.relative_to(work / PACKAGE))
        for p in (work / PACKAGE).rglob("*")
        if p.is_file() and "__pycache__" not in p.parts
    )
    assert files == [
        "__init__.py",
        "fixture/__init__.py",
        "fixture/client.py",
        "fixture/errata.py",
        "fixture/fastpath.py",
        "fixture/models.py",
        "fixture/operations.py",
        "fixture/registry.py",
        "fixture/schema/fixture.xsd",
        "py.typed",
    ]
    client = (work / PACKAGE / "fixture/client.py").read_text(encoding="utf-8")
    assert "class FixtureClient(ClientBase, FixtureOperations):" in client
    assert "class AsyncFixtureClient(AsyncClientBase, AsyncFixtureOperations):" in client
    assert f"from {PACKAGE}.fixture.operations import" in client
    # Deterministic: a second run finds the package up to date, an edit is found.
    again = _codegen(work, "--out", PACKAGE, "--package", PACKAGE, "--check")
    assert again.returncode == 0, again.stdout + again.stderr
    edited = work / PACKAGE / "fixture/errata.py"
    original = edited.read_bytes()
    edited.write_bytes(original + b"# edited\n")
    try:
        stale = _codegen(work, "--out", PACKAGE, "--package", PACKAGE, "--check")
    finally:
        edited.write_bytes(original)
    assert stale.returncode == 1 and "differs: fixture/errata.py" in stale.stdout


def test_unregistered_until_registered(work: Path) -> None:
    assert "fixture" not in registry.api_names()
    with pytest.raises(ucxml.UnknownApiError):
        ucxml.detect(LIST_ANSWER)
    with pytest.raises(ParameterError, match=r"not a package generated by ucxml\.codegen"):
        ucxml.register_api("ucxml.errors")
    with pytest.raises(ParameterError, match="cannot import"):
        ucxml.register_api("no_such_bindings_package")
    names = registry.api_names()
    assert ucxml.register_api("ucxml.generated.cme") == ["cme"]  # known: nothing changes
    assert registry.api_names() == names
    with pytest.raises(ParameterError, match="not a registered API"):
        registry.unregister_api("cme")


def test_typed_client_sends_the_exact_request(api: ModuleType) -> None:
    fixture_client = importlib.import_module(f"{PACKAGE}.fixture.client")
    m = api
    transport = _answer(LIST_ANSWER)
    with fixture_client.FixtureClient(
        "https://pbx.example:8443", username="u", password="p", transport=transport
    ) as client:
        result = client.list_phones(status=m.PhoneStatus.REGISTERED, max=50)
        assert client.url == "https://pbx.example:8443/fixture/api"
    (sent,) = transport.requests
    assert sent.method == "POST" and sent.url == "https://pbx.example:8443/fixture/api"
    assert sent.headers["Content-Type"] == "application/xml; charset=utf-8"
    assert canonical(sent.content) == canonical(
        b'<listPhones xmlns="urn:example:fixture"><status>registered</status>'
        b"<max>50</max></listPhones>"
    )
    assert type(result) is m.ListPhonesResponse
    assert [p.name for p in result.phone] == ["SEP0011", "SEP0022"]
    assert result.phone[0].status is m.PhoneStatus.REGISTERED
    assert result.phone[0].line == [1, 2] and result.phone[1].line == []
    assert result == m.ListPhonesResponse(
        phone=[
            m.Phone(name="SEP0011", status=m.PhoneStatus.REGISTERED, line=[1, 2]),
            m.Phone(name="SEP0022", status=m.PhoneStatus.REGISTERED),
        ]
    )


def test_async_client_and_refused_answers(api: ModuleType) -> None:
    fixture_client = importlib.import_module(f"{PACKAGE}.fixture.client")
    m = api
    transport = AsyncMockTransport(
        lambda _: HttpResponse(200, GET_ANSWER, {"content-type": "application/xml"})
    )

    async def call() -> object:
        async with fixture_client.AsyncFixtureClient("http://pbx", transport=transport) as c:
            return await c.get_phone("SEP0011")

    result = asyncio.run(call())
    (sent,) = transport.requests
    assert canonical(sent.content) == canonical(
        b'<fx:getPhone xmlns:fx="urn:example:fixture"><fx:name>SEP0011</fx:name></fx:getPhone>'
    )
    assert result == m.GetPhoneResponse(
        phone=m.Phone(name="SEP0011", status=m.PhoneStatus.UNREGISTERED, line=[7])
    )
    # The answer of the other operation, and a request the schema refuses (nothing sent).
    other = _answer(LIST_ANSWER)
    with fixture_client.FixtureClient("http://pbx", transport=other) as client:
        with pytest.raises(MalformedResponseError, match="expected GetPhoneResponse"):
            client.get_phone("SEP0011")
        with pytest.raises(ParameterError, match="status"):
            client.list_phones(status="gone")
    assert len(other.requests) == 1


def test_parse_serialize_detect(api: ModuleType) -> None:
    m = api
    assert ucxml.detect(LIST_ANSWER) == "fixture"
    parsed = ucxml.parse(LIST_ANSWER, type=m.ListPhonesResponse)
    assert canonical(ucxml.serialize(parsed)) == canonical(LIST_ANSWER)
    assert registry.api_of(parsed) == "fixture"
    # The bundled APIs are still found first.
    cme = (ROOT / "schemas/cme/examples/corrected/28-ISgetUser-request.xml").read_bytes()
    assert ucxml.detect(cme) == "cme"


def test_validate_reports_line_column_path(api: ModuleType) -> None:
    good = ucxml.validate(LIST_ANSWER)
    assert good.valid and good.api == "fixture" and good.issues == ()
    assert good.message == "listPhonesResponse"
    bad = ucxml.validate(INVALID)
    assert not bad.valid and bad.api == "fixture"
    (issue,) = bad.issues
    assert issue.severity == "error"
    column = INVALID.splitlines()[1].index(b"<status>") + 1  # 1-based, as editors count
    assert (issue.line, issue.column) == (2, column) == (2, 28)
    assert issue.path == "/listPhonesResponse/phone/status"
    assert "'gone' is not one of the allowed values" in issue.message


def test_entry_point_discovery(work: Path, tmp_path: Path) -> None:
    site = tmp_path / "site"
    dist = site / "fixture_bindings-1.0.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: fixture-bindings\nVersion: 1.0\n")
    (dist / "entry_points.txt").write_text(f"[ucxml.apis]\nfixture = {PACKAGE}\n")
    assert "fixture" not in registry.api_names()
    sys.path.insert(0, str(site))
    try:
        assert registry.discover_apis() == ["fixture"]
        assert ucxml.detect(INVALID) == "fixture"
    finally:
        sys.path.remove(str(site))
        registry.unregister_api("fixture")
    assert "fixture" not in registry.api_names()


def test_mypy_sees_the_typed_responses(work: Path) -> None:
    script = work / "uses_fixture.py"
    script.write_text(
        textwrap.dedent(
            f"""\
            from typing import assert_type

            from {PACKAGE}.fixture.client import AsyncFixtureClient, FixtureClient
            from {PACKAGE}.fixture.models import GetPhoneResponse, ListPhonesResponse, Phone


            def sync(client: FixtureClient) -> list[Phone]:
                assert_type(client.get_phone("SEP0011"), GetPhoneResponse)
                client.get_phone(name=7)  # type: ignore[arg-type]
                return client.list_phones(max=3).phone


            async def asynchronous(client: AsyncFixtureClient) -> None:
                assert_type(await client.list_phones(), ListPhonesResponse)
            """
        )
    )
    (work / "mypy.ini").write_text("[mypy]\n")  # not the project's configuration
    env = {k: v for k, v in os.environ.items() if k not in {"PYTHONPATH", "MYPYPATH"}}
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "mypy",
            "--strict",
            "--cache-dir",
            str(work / ".mypy_cache"),
            "--config-file",
            "mypy.ini",
            script.name,
        ],
        cwd=work,
        env=env,
        capture_output=True,
        text=True,
        timeout=600,
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_generated_shells_only_where_no_client_is_hand_written() -> None:
    from ucxml.codegen.clients import client_context
    from ucxml.codegen.manifest import load_manifest

    apis = {a.name: a for a in load_manifest(ROOT / "schemas/manifest.toml").apis}
    assert {n: a.client for n, a in apis.items() if a.client} == {
        "em": "ucxml.em",
        "cup": "ucxml.cup",
        "huawei": "ucxml.huawei",
    }
    # CME is all data: its clients are the template's, its behaviour a result check.
    assert sorted(n for n, a in apis.items() if client_context(a) is not None) == ["cme"]
    assert apis["cme"].result_check == "ucxml._cme_hooks.check_result"
    # generated/_sync/client.py is the sync twin of the shared client base, no API's shell.
    shells = (ROOT / "generated").glob("*/client.py")
    assert sorted(p.parent.name for p in shells if p.parent.name != "_sync") == ["cme"]
    import ucxml.cme
    from ucxml.generated.cme import client

    assert ucxml.cme.CmeClient is client.CmeClient
    assert ucxml.cme.AsyncCmeClient is client.AsyncCmeClient


def test_manifest_and_command_line_refuse_what_cannot_work(tmp_path: Path) -> None:
    from ucxml.codegen.__main__ import package_of
    from ucxml.codegen.clients import ClientError, client_context
    from ucxml.codegen.manifest import ManifestError, load_manifest

    (tmp_path / "fixture.xsd").write_text(XSD, encoding="utf-8")
    manifest = tmp_path / "manifest.toml"
    manifest.write_text(MANIFEST.replace('envelope = "document"', 'envelope = "em-form"'))
    (spec,) = load_manifest(manifest).apis
    with pytest.raises(ClientError, match="em-form"):
        client_context(spec)
    manifest.write_text(MANIFEST.replace("dispatch =", 'client = "not a module"\ndispatch ='))
    with pytest.raises(ManifestError, match="client"):
        load_manifest(manifest)
    assert package_of(None) == "ucxml.generated"
    assert package_of("my_pkg.gen") == "my_pkg.gen"
    with pytest.raises(SystemExit, match="dotted"):
        package_of("my-pkg.gen")


# A misspelt key is refused, not read as its default (what the error must name).
MISSPELT = [
    ("dispatch =", 'result_chek = "a.b"\ndispatch =', "unknown keys ['result_chek']"),
    ("idempotent = true", "idempotant = true", "fixture.operations.getPhone: unknown keys"),
    ("dispatch =", 'client_doc.usrname = "x"\ndispatch =', "client_doc: unknown keys"),
    ("dispatch =", "client_doc.summary = 3\ndispatch =", 'a table of name = "text"'),
]


@pytest.mark.parametrize(("old", "new", "words"), MISSPELT)
def test_a_misspelt_manifest_key_is_refused(tmp_path: Path, old: str, new: str, words: str) -> None:
    from ucxml.codegen.manifest import ManifestError, load_manifest

    (tmp_path / "fixture.xsd").write_text(XSD, encoding="utf-8")
    manifest = tmp_path / "manifest.toml"
    assert old in MANIFEST
    manifest.write_text(MANIFEST.replace(old, new, 1), encoding="utf-8")
    with pytest.raises(ManifestError) as info:
        load_manifest(manifest)
    assert words in str(info.value)


def test_client_doc_reaches_the_generated_docstrings(tmp_path: Path) -> None:
    from ucxml.codegen.clients import client_context
    from ucxml.codegen.manifest import load_manifest

    (tmp_path / "fixture.xsd").write_text(XSD, encoding="utf-8")
    manifest = tmp_path / "manifest.toml"
    doc = (
        'client_doc.summary = "Talks to the fixture directory."\n'
        'client_doc.username = "The directory admin."\ndispatch ='
    )
    manifest.write_text(MANIFEST.replace("dispatch =", doc, 1), encoding="utf-8")
    (spec,) = load_manifest(manifest).apis
    context = client_context(spec)
    assert context is not None and context["client_doc"]["username"] == "The directory admin."
    import ucxml.cme

    text = " ".join((ucxml.cme.CmeClient.__doc__ or "").split())
    assert "ISexecCLI stopping at a line raises CmeCliError" in text
    init = " ".join((ucxml.cme.CmeClient.__init__.__doc__ or "").split())
    assert "username: The ``xml user`` of ``telephony-service``" in init
    assert "/ISApi/AXL/V1/soapisapi.is" in init
    assert ucxml.cme.AsyncCmeClient.__init__.__doc__ == ucxml.cme.CmeClient.__init__.__doc__


HOOKS = '''\
"""The behaviour of the 'checked' API that no schema holds: an empty list is a failure."""

from typing import Any

from ucxml.bindings import Operation
from ucxml.errors import ServerError


class NoPhonesError(ServerError):
    """The server answered no phone at all."""


def check_result(operation: Operation, request: Any, result: Any) -> None:
    """Raise NoPhonesError for a listPhones answer without a phone."""
    if operation.name == "listPhones" and not result.phone:
        raise NoPhonesError(f"{operation.method}: no phone")
'''


def test_result_check_named_by_the_manifest(work: Path) -> None:
    """An API with behaviour of its own names it in the manifest (``result_check``): the
    generated clients call it on every answer."""
    manifest = MANIFEST.replace("apis.fixture", "apis.checked").replace(
        "dispatch =", 'result_check = "checked_hooks.check_result"\ndispatch ='
    )
    (work / "checked").mkdir()
    (work / "checked/fixture.xsd").write_text(XSD, encoding="utf-8")
    (work / "checked/manifest.toml").write_text(manifest, encoding="utf-8")
    (work / "checked_hooks.py").write_text(HOOKS, encoding="utf-8")
    done = subprocess.run(
        [
            *(sys.executable, "-m", "ucxml.codegen", "--manifest", "checked/manifest.toml"),
            *("--out", "out/checked", "--package", "checked_bindings"),
        ],
        cwd=work,
        capture_output=True,
        text=True,
        timeout=300,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    (work / "out/checked").rename(work / "checked_bindings")
    # The folder's package (its APIS table) or the API's own package: the same API.
    assert ucxml.register_api("checked_bindings") == ["checked"]
    assert ucxml.register_api("checked_bindings.checked") == ["checked"]
    try:
        client = importlib.import_module("checked_bindings.checked.client")
        hooks = importlib.import_module("checked_hooks")
        empty = b'<listPhonesResponse xmlns="urn:example:fixture"/>'
        with (
            client.CheckedClient("http://pbx", transport=_answer(empty)) as checked,
            pytest.raises(hooks.NoPhonesError, match="list_phones: no phone"),
        ):
            checked.list_phones()
        with client.CheckedClient("http://pbx", transport=_answer(LIST_ANSWER)) as checked:
            assert len(checked.list_phones().phone) == 2
        assert ucxml.detect(empty) == "checked"
    finally:
        registry.unregister_api("checked")
        for name in [m for m in sys.modules if m.split(".")[0].startswith("checked_")]:
            del sys.modules[name]
    assert "checked" not in registry.api_names()
