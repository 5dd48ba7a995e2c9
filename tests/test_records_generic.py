"""Record streaming of the element-dispatched styles (``ucxml._records``): every example
answer that is a list of records, flat memory, broken answers, the EPAS client."""

from __future__ import annotations

import asyncio
import tracemalloc
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest

import ucxml
from ucxml import _records
from ucxml._registry import api_names, binding
from ucxml.cup import AsyncCupClient, CupClient
from ucxml.emulator.app import create_app
from ucxml.emulator.cup_state import DEMO_CUP_PASSWORD, DEMO_CUP_USER
from ucxml.emulator.server import EmulatorServer
from ucxml.errors import BindingError, CupSessionError, XmlSyntaxError
from ucxml.generated.cup import models as m

SCHEMAS = Path(__file__).resolve().parents[1] / "schemas"
NS = "urn:cisco:epas:soap"


def _record_answers() -> list[tuple[str, Path]]:
    """Every example answer of a generically streamed API whose message is a record list."""
    found = []
    for api in api_names():
        if not _records.reads_records(api):
            continue
        for path in sorted((SCHEMAS / api / "examples").glob("**/*.xml")):
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    message = ucxml.parse(path.read_bytes(), api=api)
            except ucxml.UcxmlError:
                continue  # a refused example: the tests of its own say why
            api_binding = binding(api)
            if type(message) not in (
                *api_binding.responses.values(),
                *api_binding.documents.values(),
            ):
                continue
            if _records.record_field(type(message)) is not None:
                found.append((api, path))
    return found


ANSWERS = _record_answers()


def _warned(call: object) -> tuple[object, list[str]]:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        result = call()  # type: ignore[operator]
    return result, sorted(str(w.message) for w in caught)


def test_examples_found() -> None:
    assert len(ANSWERS) >= 15  # EPAS: contact lists, config properties, statuses...


@pytest.mark.parametrize(
    ("api", "path"), ANSWERS, ids=[str(p.relative_to(SCHEMAS)) for _, p in ANSWERS]
)
def test_records_equal_whole_parse(api: str, path: Path) -> None:
    data = path.read_bytes()
    whole, expected = _warned(lambda: ucxml.parse(data, api=api))
    field = _records.record_field(type(whole))
    assert field is not None
    records, seen = _warned(lambda: list(ucxml.iter_records(data, api=api)))
    assert records == getattr(whole, field[0])
    assert [w for w in seen if _records.NOT_KEPT not in w] == expected


def _contact_list(groups: int, extra: str = "") -> bytes:
    group = (
        '  <group index="{i}" name="g{i}">\n'
        '    <persona-id index="1" nickname="n">user{i}</persona-id>{extra}\n'
        "  </group>\n"
    )
    body = "".join(group.format(i=i, extra=extra) for i in range(groups))
    return (
        '<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope">\n'
        f'<env:Body>\n<get-contact-list-resp xmlns="{NS}">\n{body}</get-contact-list-resp>\n'
        "</env:Body>\n</env:Envelope>\n"
    ).encode()


def test_deviations_at_their_lines() -> None:
    """Unknown content kept in the record's extra, warned at the original lines; content
    beside the records and the SOAP header are reported as not kept."""
    data = _contact_list(150, extra="<mood>happy</mood>")
    data = data.replace(b"<env:Body>", b"<env:Header><foo xmlns='urn:x'/></env:Header><env:Body>")
    data = data.replace(b"</get-contact-list-resp>", b"<later>x</later></get-contact-list-resp>")
    whole, expected = _warned(lambda: ucxml.parse(data, api="cup"))
    records, seen = _warned(lambda: list(ucxml.iter_records(data, api="cup")))
    assert records == whole.group and len(records) == 150
    assert records[149].extra is not None
    not_kept = [w for w in seen if _records.NOT_KEPT in w]
    assert [w for w in seen if _records.NOT_KEPT not in w] == [
        w for w in expected if "<later>" not in w
    ]
    assert any("<later>" in w for w in not_kept) and any("foo" in w for w in seen)
    assert any(w.startswith("line 452:") and "mood" in w for w in seen)  # the 150th group's


S11 = "http://schemas.xmlsoap.org/soap/envelope/"
S12 = "http://www.w3.org/2003/05/soap-envelope"
_GROUPS_11 = "".join(
    f'  <epas:group index="{i}" name="g{i}" extra="1"><epas:persona-id>u</epas:persona-id>'
    "</epas:group>\n"
    for i in range(100)
)
#: Deviations each read as the whole reader reads them: (name, answer).
DEVIATIONS = [
    (
        "empty-list",
        f'<env:Envelope xmlns:env="{S12}"><env:Body><get-contact-list-resp xmlns="{NS}"/>'
        "</env:Body></env:Envelope>",
    ),
    (
        "soap11-unknown-attributes",
        f'<soapenv:Envelope xmlns:soapenv="{S11}">\n<soapenv:Body>\n'
        f'<epas:get-contact-list-resp xmlns:epas="{NS}">\n{_GROUPS_11}'
        "</epas:get-contact-list-resp>\n</soapenv:Body>\n</soapenv:Envelope>",
    ),
    (
        "glued-attributes",
        f'<env:Envelope xmlns:env="{S12}"><env:Body>\n<get-contact-list-resp xmlns="{NS}">\n'
        + "".join(f'  <group index="{i}"name="g{i}"/>\n' for i in range(70))
        + "</get-contact-list-resp></env:Body></env:Envelope>",
    ),
    (
        "two-body-elements",
        f'<env:Envelope xmlns:env="{S12}"><env:Body><get-contact-list-resp xmlns="{NS}">'
        '<group name="a"/></get-contact-list-resp><x/></env:Body></env:Envelope>',
    ),
    (
        "undeclared-prefix",
        f'<env:Envelope xmlns:env="{S12}"><env:Body><epas:get-contact-list-resp>'
        '<epas:group name="a"/></epas:get-contact-list-resp></env:Body></env:Envelope>',
    ),
]


def _outcome(call: object) -> tuple[object, list[str]]:
    try:
        return _warned(call)
    except ucxml.UcxmlError as exc:
        return (type(exc), str(exc)), []


@pytest.mark.parametrize(("name", "answer"), DEVIATIONS, ids=[n for n, _ in DEVIATIONS])
def test_deviations_read_as_the_whole_reader_reads_them(name: str, answer: str) -> None:
    data = answer.encode()
    whole, expected = _outcome(lambda: ucxml.parse(data, api="cup").group)  # type: ignore[attr-defined]
    records, seen = _outcome(lambda: list(ucxml.iter_records(data, api="cup")))
    assert records == whole
    assert seen == expected


def _peak(groups: int) -> int:
    data = _contact_list(groups)
    tracemalloc.start()
    try:
        count = sum(1 for _ in ucxml.iter_records(data, api="cup"))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    assert count == groups
    return peak


def test_memory_flat() -> None:
    # Ten times the records (tracemalloc makes binding slow: 2,000 and 20,000 suffice).
    small, large = _peak(2_000), _peak(20_000)
    assert large < 2 * small, (small, large)


def test_truncated_answer() -> None:
    data = _contact_list(200)
    cut = data[: data.index(b'name="g150"')]
    got = []
    with pytest.raises(XmlSyntaxError) as info:
        for record in ucxml.iter_records(cut, api="cup"):
            got.append(record)
    assert [g.name for g in got] == [f"g{i}" for i in range(150)]
    assert info.value.line == 4 + 3 * 150 and info.value.column is not None  # group 150


def test_not_a_record_list_and_fault() -> None:
    login = (SCHEMAS / "cup/examples/corrected/12-login-response-success.xml").read_bytes()
    with pytest.raises(BindingError, match="login-resp"):
        list(ucxml.iter_records(login, api="cup"))
    fault = (SCHEMAS / "cup/examples/corrected/09-fault-invalid-request.xml").read_bytes()
    with pytest.raises(ucxml.UcxmlError):
        list(ucxml.iter_records(fault, api="cup"))


@pytest.fixture(scope="module")
def server() -> Iterator[EmulatorServer]:
    app = create_app()
    with EmulatorServer(app) as running:
        running.app = app  # type: ignore[attr-defined]
        yield running
        app.state.cup_service.expire_all()


def test_cup_client_stream(server: EmulatorServer) -> None:
    with CupClient(server.base_url, username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD) as cup:
        whole = cup.get_contact_list().group
        streamed = list(cup.get_contact_list(stream=True))
        assert streamed == whole and all(isinstance(g, m.Group) for g in streamed)
        properties = list(cup.get_system_config(stream=True))
        assert properties == cup.get_system_config().properties


def test_async_cup_client_stream(server: EmulatorServer) -> None:
    async def run() -> None:
        async with AsyncCupClient(
            server.base_url, username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD
        ) as cup:
            whole = (await cup.get_contact_list()).group
            assert list(await cup.get_contact_list(stream=True)) == whole

    asyncio.run(run())


def test_cup_stream_session_fault(server: EmulatorServer) -> None:
    """A session fault is raised by the call itself (before any record), so a client that
    may log in again does, and resends."""
    service = server.app.state.cup_service  # type: ignore[attr-defined]
    with CupClient(server.base_url, username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD) as plain:
        service.expire_all()
        with pytest.raises(CupSessionError) as error:
            plain.get_contact_list(stream=True)
        assert error.value.state == "expired"
        plain._session_key = None
    with CupClient(
        server.base_url, username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD, relogin=True
    ) as cup:
        service.expire_all()
        assert list(cup.get_contact_list(stream=True)) == cup.get_contact_list().group
