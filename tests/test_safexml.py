"""The hardened parser refuses what it must and reports where."""

from __future__ import annotations

import codecs
import socket
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ucxml._safexml import SourceLines, compile_schema, parse_xml, read_source
from ucxml.errors import ForbiddenXmlError, XmlLimitError, XmlSyntaxError

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


@settings(max_examples=200, deadline=None)
@given(
    text=st.lists(st.sampled_from([b"a", b"<x/>", b"\n", b"\r", b"\r\n", b" "]), max_size=30),
    asks=st.lists(st.integers(min_value=-1, max_value=35), max_size=12),
)
def test_source_lines_match_splitlines_in_any_order(text: list[bytes], asks: list[int]) -> None:
    data = b"".join(text)
    lines = SourceLines(data)
    expected = data.splitlines()
    for number in asks:
        want = expected[number - 1] if 0 < number <= len(expected) else None
        assert lines.line(number) == want, (data, number)


_DOCTYPE = '<?xml version="1.0" encoding="{}"?><!DOCTYPE r SYSTEM "file:///etc/passwd"><r/>'


@pytest.mark.parametrize(
    ("label", "codec", "bom"),
    [
        ("UTF-16", "utf-16-le", codecs.BOM_UTF16_LE),
        ("UTF-16", "utf-16-be", codecs.BOM_UTF16_BE),
        ("UTF-32", "utf-32-le", codecs.BOM_UTF32_LE),
        ("UTF-32", "utf-32-be", codecs.BOM_UTF32_BE),
        ("UTF-7", "utf-7", b""),
    ],
)
def test_a_doctype_is_seen_in_every_encoding(label: str, codec: str, bom: bytes) -> None:
    """A DOCTYPE in UTF-16/32 or UTF-7 is refused before libxml2 could load its subset."""
    declaration, rest = _DOCTYPE.format(label).split("?>", 1)
    if codec == "utf-7":  # '<' and '>' written as base64 blocks, as an attacker would
        body = rest.replace("<", "+ADw-").replace(">", "+AD4-").encode("ascii")
        data = (declaration + "?>").encode("ascii") + body
    else:
        data = bom + (declaration + "?>" + rest).encode(codec)
    assert b"<!DOCTYPE" not in data  # the byte check alone would miss it
    with pytest.raises(ForbiddenXmlError):
        parse_xml(data)


@pytest.mark.parametrize(
    ("data", "text"),
    [
        ("<r>\u00e9t\u00e9</r>".encode("utf-16"), "\u00e9t\u00e9"),
        ('<?xml version="1.0" encoding="UTF-16"?><r>\u20ac</r>'.encode("utf-16"), "\u20ac"),
        ("<r>\u00e9</r>".encode("utf-32"), "\u00e9"),
        ('<?xml version="1.0" encoding="ISO-8859-1"?><r>\u00e9</r>'.encode("latin-1"), "\u00e9"),
        ('<?xml version="1.0" encoding="windows-1252"?><r>\u20ac</r>'.encode("cp1252"), "\u20ac"),
        (b'\xef\xbb\xbf<?xml version="1.0" encoding="UTF-8"?><r>x</r>', "x"),
    ],
)
def test_other_encodings_are_read_as_what_they_say(data: bytes, text: str) -> None:
    assert parse_xml(data).root.text == text


@pytest.mark.parametrize(
    "data",
    [
        "<r>x</r>".encode("utf-16-le"),  # no byte order mark (XML 1.0 section 4.3.3)
        "<r>x</r>".encode("utf-32-be"),
        b'<?xml version="1.0" encoding="UTF-16"?><r/>',  # declared, not so
        b'<?xml version="1.0" encoding="no-such-codec"?><r/>',
        "<r>x</r>".encode("cp037"),  # EBCDIC
        codecs.BOM_UTF16_LE + b"<\x00r\x00>\x00\x00\xd8",  # a lone surrogate
    ],
)
def test_unmarked_or_unknown_encodings_are_refused(data: bytes) -> None:
    with pytest.raises(XmlSyntaxError):
        parse_xml(data)


@pytest.mark.parametrize(
    ("data", "between"),
    [
        (b"<a>\n  <b>  </b>\n  <c>x</c>\n</a>", None),  # indentation dropped
        (b"<a>\n  <b>  </b>\n  <c>x</c><!-- c -->\n</a>", "\n  "),  # "<!" anywhere: kept
        (b"<a>\n  <b>  <![CDATA[]]></b>\n  <c>x</c>\n</a>", "\n  "),
    ],
)
def test_drop_blanks_drops_only_indentation(data: bytes, between: str | None) -> None:
    lean, kept = parse_xml(data, drop_blanks=True).root, parse_xml(data).root
    assert lean[0].tail == between and kept[0].tail == "\n  "
    assert lean[0].text == kept[0].text == "  "  # a blank value is a value
    assert lean[1].text == kept[1].text == "x"


@pytest.mark.parametrize(
    "doctype",
    [
        b'<!DOCTYPE query SYSTEM "http://10.0.0.1:8080/emservice/jsp/LoginQuery.dtd">',
        b"<!DOCTYPE query PUBLIC '-//X//DTD Y//EN' 'http://127.0.0.1:9/y.dtd'>",
        b'<!DOCTYPE\n  query\n  SYSTEM "file:///etc/passwd"\n>',
    ],
)
def test_an_external_only_doctype_is_blanked_on_request(doctype: bytes) -> None:
    """Opt-in (``external_doctype=True``): read with a T-DOCTYPE warning, positions kept."""
    data = b'<?xml version="1.0"?>\n' + doctype + b"\n<query><a/></query>"
    with pytest.raises(ForbiddenXmlError):
        parse_xml(data)  # refused by default
    parsed = parse_xml(data, external_doctype=True)
    assert [w.code for w in parsed.warnings] == ["T-DOCTYPE"]
    assert parsed.warnings[0].line == 2 and "never fetched" in parsed.warnings[0].message
    assert parsed.root.tag == "query" and parsed.root.sourceline == 3 + doctype.count(b"\n")
    assert parsed.root.getroottree().docinfo.doctype == ""


@pytest.mark.parametrize(
    "data",
    [
        b'<!DOCTYPE q SYSTEM "x.dtd" []><q/>',  # an internal subset, even empty
        b'<!DOCTYPE q SYSTEM "x.dtd" [<!ENTITY e "v">]><q>&e;</q>',
        b"<!DOCTYPE q><q/>",  # no external identifier: nothing to tolerate
        b'<!DOCTYPE q SYSTEM "x.dtd"><!DOCTYPE q SYSTEM "y.dtd"><q/>',
        b'<q/><!DOCTYPE q SYSTEM "x.dtd">',  # not in the prolog
        b'<!DOCTYPE q SYSTEM "x.dtd"><q><![CDATA[<!ENTITY e "v">]]></q>',
    ],
)
def test_any_other_doctype_is_still_refused(data: bytes) -> None:
    with pytest.raises((ForbiddenXmlError, XmlSyntaxError)):
        parse_xml(data, external_doctype=True)


_XSD = "http://www.w3.org/2001/XMLSchema"


def _schema(folder: Path, name: str, body: str, target: str = "urn:a") -> Path:
    path = folder / name
    path.write_text(
        f'<xs:schema xmlns:xs="{_XSD}" targetNamespace="{target}">{body}</xs:schema>',
        encoding="utf-8",
    )
    return path


def test_a_schema_compiles_with_its_local_includes(tmp_path: Path) -> None:
    _schema(tmp_path, "inc.xsd", '<xs:element name="c" type="xs:string"/>')
    main = _schema(tmp_path, "main.xsd", '<xs:include schemaLocation="inc.xsd"/>')
    schema = compile_schema(main)
    assert schema.validate(parse_xml(b'<c xmlns="urn:a">x</c>').root)
    assert not schema.validate(parse_xml(b'<d xmlns="urn:a">x</d>').root)


@pytest.mark.parametrize("kind", ["import", "include"])
def test_a_schema_naming_a_url_is_refused_and_nothing_is_fetched(tmp_path: Path, kind: str) -> None:
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(1)
        server.setblocking(False)
        url = f"http://127.0.0.1:{server.getsockname()[1]}/b.xsd"
        namespace = ' namespace="urn:b"' if kind == "import" else ""
        main = _schema(tmp_path, "main.xsd", f'<xs:{kind}{namespace} schemaLocation="{url}"/>')
        with pytest.raises(ForbiddenXmlError, match="no local file"):
            compile_schema(main)
        with pytest.raises(BlockingIOError):
            server.accept()  # no connection was made
