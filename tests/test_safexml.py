"""The hardened parser refuses what it must and reports where."""

from __future__ import annotations

import pytest

from ucxml.errors import ForbiddenXmlError, XmlLimitError, XmlSyntaxError
from ucxml.safexml import parse_xml, read_source

BILLION_LAUGHS = b"""<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
]>
<response>&lol3;</response>"""

XXE = b"""<?xml version="1.0"?>
<!DOCTYPE r [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>
<response>&xxe;</response>"""


def test_malformed_xml_reports_line_and_column() -> None:
    with pytest.raises(XmlSyntaxError) as info:
        parse_xml(b"<a>\n  <b></c>\n</a>")
    assert info.value.line == 2
    assert info.value.column is not None and info.value.column > 0
    assert "mismatch" in info.value.message
    assert ", line" not in info.value.message  # position is in the fields, not repeated


@pytest.mark.parametrize(
    "payload", [BILLION_LAUGHS, XXE, b'<!DOCTYPE a SYSTEM "http://x/a.dtd"><a/>']
)
def test_doctype_and_entities_are_refused(payload: bytes) -> None:
    with pytest.raises(ForbiddenXmlError) as info:
        parse_xml(payload)
    assert info.value.line is not None


def test_doctype_in_utf16_is_refused_after_parsing() -> None:
    payload = '<?xml version="1.0" encoding="UTF-16"?><!DOCTYPE a [<!ENTITY e "x">]><a>&e;</a>'
    with pytest.raises(ForbiddenXmlError):
        parse_xml(payload.encode("utf-16"))


def test_size_limit() -> None:
    with pytest.raises(XmlLimitError):
        parse_xml(b"<a>" + b"x" * 2000 + b"</a>", max_bytes=1000)


def test_depth_limit() -> None:
    deep = b"<a>" * 5000 + b"</a>" * 5000
    with pytest.raises(XmlLimitError):
        parse_xml(deep)


@pytest.mark.parametrize("payload", [b"", b"   ", b"<response><ISsetResult>true</ISsetRes"])
def test_empty_and_truncated(payload: bytes) -> None:
    with pytest.raises(XmlSyntaxError):
        parse_xml(payload)


def test_undeclared_well_known_prefixes_are_declared_with_a_warning() -> None:
    data = (
        b'<?xml version="1.0"?>\n<!-- c -->\n'
        b"<SOAP-ENV:Envelope><SOAP-ENV:Body/></SOAP-ENV:Envelope>"
    )
    parsed = parse_xml(data, prefixes={"SOAP-ENV": "http://schemas.xmlsoap.org/soap/envelope/"})
    assert parsed.root.tag == "{http://schemas.xmlsoap.org/soap/envelope/}Envelope"
    assert parsed.declared == ("SOAP-ENV",)
    (warning,) = parsed.warnings
    assert warning.severity == "warning" and warning.line == 3
    assert "undeclared prefix 'SOAP-ENV'" in warning.message


def test_declared_prefixes_are_left_alone() -> None:
    data = b'<r xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xsi:type="x"/>'
    parsed = parse_xml(data, prefixes={"xsi": "http://www.w3.org/2001/XMLSchema-instance"})
    assert parsed.warnings == ()


def test_unknown_undeclared_prefix_is_still_an_error() -> None:
    with pytest.raises(XmlSyntaxError) as info:
        parse_xml(b"<foo:a/>", prefixes={"xsi": "http://www.w3.org/2001/XMLSchema-instance"})
    assert "foo" in info.value.message


def test_read_source_accepts_bytes_text_and_paths(tmp_path: object) -> None:
    from pathlib import Path

    assert isinstance(tmp_path, Path)
    file = tmp_path / "x.xml"
    file.write_bytes(b"<a/>")
    assert read_source(b"<a/>") == (b"<a/>", None)
    assert read_source("  <a/>") == (b"<a/>"[0:0] + b"  <a/>", None)
    assert read_source(file) == (b"<a/>", str(file))
    assert read_source(str(file)) == (b"<a/>", str(file))
