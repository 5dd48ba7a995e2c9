"""The one detector: envelope styles judge a document by each API's data, the strongest
claim wins, and the verdict does not hang on the order the APIs are listed in."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

import ucxml
from ucxml import _detection as detection
from ucxml._documents import _all_prefixes
from ucxml._envelopes import envelope_format
from ucxml._registry import api_names, binding
from ucxml._safexml import parse_xml
from ucxml.errors import XmlError

SCHEMAS = Path(__file__).resolve().parent.parent / "schemas"
# Every corrected and real-world XML example is its API's: the folder says whose.
EXAMPLES = sorted(
    p for kind in ("corrected", "realworld") for p in SCHEMAS.glob(f"*/examples/{kind}/*.xml")
)
XSI = 'xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance"'


def _claim(api: str, xml: str) -> int:
    info = binding(api).info
    root = etree.fromstring(xml.encode())
    style = envelope_format(info.envelope)
    return style.claims(root, info.roots, binding(api).headers, info.dispatch)


@pytest.mark.parametrize(
    ("xml", "claims"),
    [
        # CME 2008: named by xsi:type
        (f'<response {XSI} xsi:type="ISgetGlobalResponse"/>', {"cme": 2, "em": 0}),
        # CME 12.x bare: named by its child
        ("<request><ISgetGlobal/></request>", {"cme": 2, "em": 1}),
        # EM: neither
        ("<request><appInfo/></request>", {"cme": 0, "em": 1}),
        ("<response><success/></response>", {"cme": 0, "em": 1}),
        # EM's own roots are no one else's
        ("<query><appInfo/></query>", {"cme": 0, "em": 1, "cup": 0}),
        # a SOAP 1.1 envelope: the body's element decides
        (
            '<e:Envelope xmlns:e="http://schemas.xmlsoap.org/soap/envelope/">'
            "<e:Body><axl/></e:Body></e:Envelope>",
            {"cme": 2, "cup": 0},
        ),
        # SOAP 1.2 with an EPAS message, and with only a header block EPAS knows
        (
            '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Body>'
            '<login xmlns="urn:cisco:epas:soap"/></e:Body></e:Envelope>',
            {"cup": 2, "cme": 0},
        ),
        (
            '<e:Envelope xmlns:e="http://www.w3.org/2003/05/soap-envelope"><e:Header>'
            '<session-key xmlns="urn:cisco:epas:soap"/></e:Header><e:Body/></e:Envelope>',
            {"cup": 1, "cme": 0},
        ),
    ],
)
def test_each_style_claims_what_its_api_sends(xml: str, claims: dict[str, int]) -> None:
    assert {api: _claim(api, xml) for api in claims} == claims


@pytest.mark.parametrize("path", EXAMPLES, ids=lambda p: f"{p.parts[-4]}/{p.parts[-2]}/{p.name}")
def test_every_example_is_detected_as_its_api_in_either_order(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A corrected example is always its API's; a real-world one is its API's or (mangled
    by the page it was copied from) no one's, and either way in both orders. One that is
    not well-formed is guessed from its start tags."""
    api, kind = path.parts[-4], path.parts[-2]
    data = path.read_bytes()
    try:
        root = parse_xml(data, prefixes=_all_prefixes(data), external_doctype=True).root
    except XmlError:
        assert kind == "realworld" and detection.sniff(data) == api
        return
    found = detection.detect_tree(root)
    assert found == api or (kind == "realworld" and found is None)
    names = api_names()
    monkeypatch.setattr(detection, "api_names", lambda: tuple(reversed(names)))
    detection._apis_with_root.cache_clear()
    try:
        assert detection.detect_tree(root) == found, "the verdict hangs on the manifest's order"
    finally:
        detection._apis_with_root.cache_clear()


def _shared_locals(api: str) -> bool:
    """Whether another API has a root of the same local name as one of ``api``'s."""

    def locals_(name: str) -> set[str]:
        return {r.rsplit("}", 1)[-1] for r in binding(name).info.roots} - {"Envelope"}

    return any(locals_(api) & locals_(other) for other in api_names() if other != api)


@pytest.mark.parametrize("path", EXAMPLES[::5], ids=lambda p: f"{p.parts[-4]}/{p.name}")
def test_a_truncated_example_is_attributed_by_its_start_tags(path: Path) -> None:
    """A payload that is not well-formed is guessed from its start tags; its report names
    the guess. Where no other API shares a root name, the guess is the API itself."""
    api = path.parts[-4]
    data = path.read_bytes()
    cut = data.rstrip()[:-1]  # the last end tag's '>' lost: every start tag still there
    report = ucxml.validate(cut)
    assert not report.valid and report.api == detection.sniff(cut)
    if not _shared_locals(api):
        assert report.api == api
