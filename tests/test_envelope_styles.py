"""Envelope styles are registered classes: each API's manifest names one, and readers,
writers and the streaming reader ask it instead of knowing an API."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from ucxml import Issue
from ucxml import _envelopes as envelopes
from ucxml._registry import api_names, binding
from ucxml.errors import BindingError

XML_APIS = [name for name in api_names() if binding(name).info.envelope != "json"]
STREAMED = Path(__file__).resolve().parent.parent / "schemas" / "cme" / "examples" / "corrected"


@pytest.mark.parametrize("api", XML_APIS)
def test_every_api_names_a_registered_style(api: str) -> None:
    style = envelopes.envelope_format(binding(api).info.envelope)
    assert style.name == binding(api).info.envelope
    # The roots a style's documents arrive in are among the roots the API is detected by.
    assert set(style.roots) <= set(binding(api).info.roots), api


@pytest.mark.parametrize("api", XML_APIS)
def test_wrap_then_unwrap_finds_the_message(api: str) -> None:
    style = envelopes.envelope_format(binding(api).info.envelope)
    inner = style.messages[0] if style.messages else "{urn:x}probe"
    tag = etree.QName(inner)
    payload = (
        f'<{tag.localname} xmlns:xsi="{envelopes.XSI_NS}" xsi:type="T"/>'
        if style.messages
        else f'<p:{tag.localname} xmlns:p="{tag.namespace}"/>'
    )
    root = etree.fromstring(style.wrap(payload))
    ancestors = [str(a.tag) for a in root.iter() if a.tag != inner][: len(style.path)]
    assert tuple(ancestors) == style.path
    message, warnings = style.unwrap(root)
    assert (str(message.element.tag), warnings) == (inner, [])


def test_a_registered_style_serves_unwrap_and_wrap() -> None:
    @envelopes.register_envelope
    class Boxed(envelopes.EnvelopeFormat):
        name = "test-boxed"
        path = ("box",)

        def unwrap(self, root: etree._Element) -> tuple[envelopes.MessagePayload, list[Issue]]:
            return super().unwrap(root[0])

        def wrap(self, payload: str, header: str = "") -> bytes:
            return f"<box>{payload}</box>".encode()

    try:
        data = envelopes.wrap("test-boxed", "<m/>")
        assert data == b"<box><m/></box>"
        message, _ = envelopes.unwrap("test-boxed", etree.fromstring(data))
        assert (message.element.tag, message.type_name) == ("m", "m")
    finally:
        envelopes._FORMATS.pop("test-boxed")


def test_an_unknown_style_is_a_binding_error() -> None:
    with pytest.raises(BindingError, match="unsupported envelope style 'nope'"):
        envelopes.envelope_format("nope")
    with pytest.raises(BindingError, match="unsupported envelope style"):
        envelopes.wrap("nope", "<m/>")


@pytest.mark.parametrize("api", api_names())
def test_every_api_s_style_is_registered_json_too(api: str) -> None:
    assert envelopes.envelope_format(binding(api).info.envelope).name == binding(api).info.envelope


def test_the_json_style_claims_no_xml_and_wraps_none() -> None:
    style = envelopes.envelope_format("json")
    assert style.claims(etree.fromstring(b"<a/>"), {"a"}, (), "root") == 0
    with pytest.raises(BindingError):
        style.wrap("<a/>")


def test_json_bodies_are_the_style_s_word_not_its_name() -> None:
    assert [s for s in envelopes.envelope_styles() if envelopes.is_json(s)] == ["json"]

    @envelopes.register_envelope
    class OtherRest(envelopes.JsonEnvelope):
        name = "test-rest"

    try:
        assert envelopes.is_json("test-rest") and not envelopes.is_json("soap11")
    finally:
        envelopes._FORMATS.pop("test-rest")


@pytest.mark.parametrize("path", sorted(STREAMED.glob("*.xml")), ids=lambda p: p.name)
def test_a_streamed_style_shows_its_messages_in_the_head_and_no_other_does(path: Path) -> None:
    """The streaming reader's cue: CME's head shows its message; the styles that do not
    stream never claim one."""
    head = path.read_bytes()[:4096]
    for name in {binding(n).info.envelope for n in api_names()}:
        style = envelopes.envelope_format(name)
        assert style.shows_message(head) == (style.streams and name == "cme-axl"), name


def test_streaming_another_api_names_the_styles_that_stream() -> None:
    import ucxml

    with pytest.raises(ucxml.UnknownApiError, match=r"reads the cme-axl, .*soap12 envelope") as e:
        next(iter(ucxml.iter_records(b"<request><appInfo/></request>", api="em")))
    assert "em-form" not in str(e.value)  # EM's style streams no records


S11 = envelopes.SOAP11_NS
S12 = envelopes.SOAP12_NS


def test_the_soap11_style_reads_1_1_without_a_warning_and_refuses_1_2() -> None:
    style = envelopes.envelope_format("soap11")
    root = etree.fromstring(style.wrap('<m xmlns="urn:x"/>', header='<h xmlns="urn:x"/>'))
    assert root.tag == f"{{{S11}}}Envelope"
    payload, warnings = style.unwrap(root)
    assert (str(payload.element.tag), warnings) == ("{urn:x}m", [])
    soap12 = etree.fromstring(envelopes.envelope_format("soap12").wrap('<m xmlns="urn:x"/>'))
    with pytest.raises(BindingError, match=r"expected a SOAP 1\.1"):
        style.unwrap(soap12)
    # The SOAP 1.2 style still reads 1.1, with its warning.
    _, warned = envelopes.envelope_format("soap12").unwrap(root)
    assert [w.code for w in warned] == ["T-SOAP11"]


@pytest.mark.parametrize(
    ("xml", "fault"),
    [
        (
            f'<e:Envelope xmlns:e="{S11}"><e:Body><e:Fault><faultcode>e:Server</faultcode>'
            "<faultstring> down </faultstring></e:Fault></e:Body></e:Envelope>",
            ("Server", (), "down"),
        ),
        (
            f'<e:Envelope xmlns:e="{S12}"><e:Body><e:Fault><e:Code><e:Value>e:Sender</e:Value>'
            "<e:Subcode><e:Value>x:Throttled</e:Value></e:Subcode></e:Code>"
            '<e:Reason><e:Text xml:lang="en">slow down</e:Text></e:Reason></e:Fault></e:Body>'
            "</e:Envelope>",
            ("Sender", ("Throttled",), "slow down"),
        ),
        (f'<e:Envelope xmlns:e="{S11}"><e:Body><m xmlns="urn:x"/></e:Body></e:Envelope>', None),
        # a Fault of another namespace than the envelope's is a message, not a fault
        (f'<e:Envelope xmlns:e="{S11}"><e:Body><Fault xmlns="urn:x"/></e:Body></e:Envelope>', None),
    ],
)
def test_soap_faults_of_both_versions(
    xml: str, fault: tuple[str, tuple[str, ...], str] | None
) -> None:
    found = envelopes.soap_fault(etree.fromstring(xml))
    assert (None if found is None else (found.code, found.subcodes, found.reason)) == fault
    assert envelopes.envelope_format("cme-axl").fault(etree.fromstring(xml)) is None
