"""Envelope styles are registered classes: each API's manifest names one, and readers,
writers and the streaming reader ask it instead of knowing an API."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from ucxml import _envelopes as envelopes
from ucxml._registry import api_names, binding
from ucxml._report import Issue
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

    with pytest.raises(ucxml.UnknownApiError, match="cme-axl envelope style only"):
        next(iter(ucxml.iter_records(b"<request><appInfo/></request>", api="em")))
