"""Envelopes: how each API wraps its messages on the wire.

CME (``cme-axl``): ``SOAP-ENV:Envelope/SOAP-ENV:Body/axl/request|response``, the message
type named by ``xsi:type``. ucxml always sends the envelope with its prefixes declared;
it reads bare ``<request>``/``<response>`` bodies too, with a warning.

EPAS (``soap12``): ``env:Envelope/env:Header?/env:Body/<message>`` in SOAP 1.2; the body's
one element names the message, the header carries blocks such as ``session-key``. A SOAP
1.1 envelope (the guide's header example) is read too, with a warning. A header block of
another namespace than the message's (WS-Addressing ``wsa:Action`` from a .NET client) that
is not ``mustUnderstand`` is ignored with a ``T-HEADER`` warning (it stays in the tree); a
``mustUnderstand`` one is kept among the header blocks, for the receiver to fault on
(:func:`not_understood`).

EM (``em-form``) and SIP bodies (``document``): the document element is the message.
"""

from __future__ import annotations

import re
from collections.abc import Container, Sequence
from dataclasses import dataclass
from typing import ClassVar, Literal

from lxml import etree

from ucxml._report import Issue
from ucxml._tolerances import bare_warning, header_block_warning, soap11_warning
from ucxml.errors import BindingError, SoapFault

__all__ = [
    "SOAP11_NS",
    "SOAP12_NS",
    "XSI_NS",
    "XSI_TYPE",
    "Claim",
    "CmeAxlEnvelope",
    "DocumentEnvelope",
    "EmFormEnvelope",
    "EnvelopeFormat",
    "JsonEnvelope",
    "MessagePayload",
    "Soap11Envelope",
    "Soap12Envelope",
    "add_header_blocks",
    "envelope_format",
    "envelope_styles",
    "is_json",
    "must_understand",
    "not_understood",
    "register_envelope",
    "soap_fault",
    "unwrap",
    "unwrap_axl",
    "unwrap_soap",
    "wrap",
    "wrap_axl",
    "wrap_soap12",
]

SOAP11_NS = "http://schemas.xmlsoap.org/soap/envelope/"
SOAP12_NS = "http://www.w3.org/2003/05/soap-envelope"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
XSI_TYPE = f"{{{XSI_NS}}}type"

_ENVELOPE = f"{{{SOAP11_NS}}}Envelope"
_BODY = f"{{{SOAP11_NS}}}Body"
_HEAD = (
    '<?xml version="1.0" encoding="UTF-8"?>\n'
    f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP11_NS}" xmlns:xsi="{XSI_NS}">'
    "<SOAP-ENV:Body><axl>"
)
_TAIL = "</axl></SOAP-ENV:Body></SOAP-ENV:Envelope>"

Claim = Literal[0, 1, 2]
"""How strongly a document looks like an API's message: 0 it is not one, 1 it may be (its
root is one of the API's and nothing speaks against it), 2 it is (the message is named)."""


# Not frozen: one is made per payload read, and a frozen dataclass costs 4x to build.
@dataclass(slots=True)
class MessagePayload:
    """The message element of a payload, its kind and type name, and how it was found."""

    element: etree._Element
    kind: str
    type_name: str
    raw_type: str
    bare: bool
    #: SOAP header blocks (elements under ``Header``), in document order.
    header: tuple[etree._Element, ...] = ()
    #: A CME message with no ``xsi:type``, named by its child (the 12.x dialect): its
    #: type is left for :func:`ucxml._dialects.message_type` to find.
    named: bool = False


def must_understand(block: etree._Element) -> bool:
    """Whether a SOAP header block carries ``mustUnderstand`` true (``true``/``1``, 1.2 or 1.1)."""
    for ns in (SOAP12_NS, SOAP11_NS):
        value = block.get(f"{{{ns}}}mustUnderstand")
        if value is not None and value.strip() in ("true", "1"):
            return True
    return False


def not_understood(
    header: tuple[etree._Element, ...], known: frozenset[str]
) -> list[etree._Element]:
    """The ``mustUnderstand`` blocks of ``header`` whose ``{namespace}name`` is not ``known``.

    A SOAP 1.2 node answers a request with such a block with an ``env:MustUnderstand``
    fault instead of processing it (SOAP 1.2 part 1, 5.2.3).
    """
    return [b for b in header if str(b.tag) not in known and must_understand(b)]


def _qualified(el: etree._Element) -> str:
    local = etree.QName(el).localname
    return f"{el.prefix}:{local}" if el.prefix else local


def _header_blocks(
    blocks: list[etree._Element], body: etree._Element, env_ns: str
) -> tuple[tuple[etree._Element, ...], list[Issue]]:
    """The header blocks to bind, and a warning per foreign block that is ignored.

    A block in the message's namespace is the API's own; one of another namespace is not
    defined by the API: ignored (T-HEADER) unless ``mustUnderstand``. SOAP's own blocks
    (``env:NotUnderstood``, ``env:Upgrade``) are kept wherever they appear, and a fault's
    header is kept whole.
    """
    own = etree.QName(body).namespace
    if own == env_ns:
        return tuple(blocks), []
    kept: list[etree._Element] = []
    warnings: list[Issue] = []
    for block in blocks:
        if etree.QName(block).namespace in (own, env_ns) or must_understand(block):
            kept.append(block)
        else:
            warnings.append(header_block_warning(_qualified(block), block.sourceline, _path(block)))
    return tuple(kept), warnings


def _elements(parent: etree._Element) -> list[etree._Element]:
    return [c for c in parent if isinstance(c.tag, str)]


def _path(el: etree._Element) -> str:
    return str(el.getroottree().getpath(el))


def unwrap_axl(root: etree._Element) -> tuple[MessagePayload, list[Issue]]:
    """Find the CME message element under ``root``; raise :class:`BindingError` if absent."""
    warnings: list[Issue] = []
    node = root
    bare = False
    if node.tag == _ENVELOPE:
        bodies = [c for c in _elements(node) if c.tag == _BODY]
        if len(bodies) != 1:
            raise BindingError("SOAP-ENV:Envelope without one SOAP-ENV:Body", path=_path(node))
        children = _elements(bodies[0])
        if len(children) != 1:
            raise BindingError(
                f"SOAP-ENV:Body holds {len(children)} elements, expected <axl>",
                path=_path(bodies[0]),
                line=bodies[0].sourceline,
            )
        node = children[0]
    if node.tag == "axl":
        children = _elements(node)
        if len(children) != 1:
            raise BindingError(
                f"<axl> holds {len(children)} elements, expected <request> or <response>",
                path=_path(node),
                line=node.sourceline,
            )
        node = children[0]
    elif node is root and node.tag in ("request", "response"):
        bare = True
    if node.tag not in ("request", "response"):
        raise BindingError(
            f"expected <request> or <response>, found <{etree.QName(node).localname}>",
            path=_path(node),
            line=node.sourceline,
        )
    raw_type = node.get(XSI_TYPE)
    if raw_type is None:
        # Named by its child (CME 12.x): a bare message of that form is its release's own
        # shape, not a deviation, so it gets no T-BARE warning.
        return MessagePayload(node, str(node.tag), "", "", bare, named=True), warnings
    if bare:
        warnings.append(bare_warning(str(node.tag), node.sourceline, _path(node)))
    type_name = raw_type.strip().rpartition(":")[2]
    return MessagePayload(node, str(node.tag), type_name, raw_type, bare), warnings


def unwrap_soap(root: etree._Element, version: str = "1.2") -> tuple[MessagePayload, list[Issue]]:
    """Find the body element of a SOAP 1.2 (or, with a warning, 1.1) envelope.

    The returned payload's ``type_name`` is the body element's local name (root dispatch);
    ``kind`` is left empty for the caller to fill in from the API's tables.
    """
    warnings: list[Issue] = []
    if root.tag == f"{{{SOAP11_NS}}}Envelope":
        ns = SOAP11_NS
        if version == "1.2":
            warnings.append(soap11_warning(root.sourceline, _path(root)))
    elif root.tag == f"{{{SOAP12_NS}}}Envelope" and version == "1.2":
        ns = SOAP12_NS
    else:
        raise BindingError(
            f"expected a SOAP {version} env:Envelope, found <{etree.QName(root).localname}>"
            f" in {etree.QName(root).namespace or 'no namespace'}",
            path=_path(root),
            line=root.sourceline,
        )
    children = _elements(root)
    blocks: list[etree._Element] = []
    if children and children[0].tag == f"{{{ns}}}Header":
        blocks = _elements(children[0])
        children = children[1:]
    if len(children) != 1 or children[0].tag != f"{{{ns}}}Body":
        raise BindingError(
            "env:Envelope without one env:Body after the optional env:Header",
            path=_path(root),
            line=root.sourceline,
        )
    body = _elements(children[0])
    if len(body) != 1:
        raise BindingError(
            f"env:Body holds {len(body)} elements, expected one message",
            path=_path(children[0]),
            line=children[0].sourceline,
        )
    header, ignored = _header_blocks(blocks, body[0], ns)
    warnings += ignored
    local = str(body[0].tag).rpartition("}")[2]
    return MessagePayload(body[0], "", local, local, False, header), warnings


def _local(tag: object) -> str:
    return str(tag).rpartition("}")[2]


def _child(parent: etree._Element, local: str) -> etree._Element | None:
    return next((c for c in _elements(parent) if _local(c.tag) == local), None)


def soap_fault(root: etree._Element) -> SoapFault | None:
    """The fault a SOAP 1.1 or 1.2 envelope's body carries (None when it carries none).

    SOAP 1.1's ``faultcode``/``faultstring`` and SOAP 1.2's ``Code/Value`` (with its
    ``Subcode`` chain) and ``Reason/Text`` are read into one :class:`SoapFault`; a code's
    prefix is dropped (``soapenv:Client`` is ``Client``).
    """
    namespace = etree.QName(root).namespace
    if _local(root.tag) != "Envelope" or namespace not in (SOAP11_NS, SOAP12_NS):
        return None
    body = _child(root, "Body")
    fault = _child(body, "Fault") if body is not None else None
    if fault is None or etree.QName(fault).namespace != namespace:
        return None
    if namespace == SOAP11_NS:
        code = (fault.findtext("faultcode") or "").strip()
        return SoapFault(code.rpartition(":")[2], (fault.findtext("faultstring") or "").strip())
    values: list[str] = []
    level = _child(fault, "Code")
    while level is not None:
        value = _child(level, "Value")
        values.append((value.text or "").strip().rpartition(":")[2] if value is not None else "")
        level = _child(level, "Subcode")
    reason = _child(fault, "Reason")
    text = _child(reason, "Text") if reason is not None else None
    reason_text = (text.text or "").strip() if text is not None else ""
    return SoapFault(values[0] if values else "", reason_text, subcodes=values[1:])


def wrap_soap12(payload: str, header: str = "", namespace: str = SOAP12_NS) -> bytes:
    """Wrap a serialized body element (and header blocks) in a SOAP 1.2 envelope (or, with
    ``namespace`` :data:`SOAP11_NS`, a SOAP 1.1 one)."""
    head = f"<env:Header>{header}</env:Header>" if header else ""
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<env:Envelope xmlns:env="{namespace}">{head}<env:Body>{payload}</env:Body></env:Envelope>'
    ).encode()


def add_header_blocks(envelope: bytes, blocks: Sequence[bytes]) -> bytes:
    """Add serialized header ``blocks`` to an envelope made by :func:`wrap_soap12`.

    The blocks follow the blocks already in ``env:Header`` (made when there is none).

    Raises:
        BindingError: ``envelope`` is not what :func:`wrap_soap12` makes.
    """
    extra = b"".join(blocks)
    if not extra:
        return envelope
    head, found, rest = envelope.partition(b"<env:Body>")
    if not found or not head.rstrip().endswith((b">", b"</env:Header>")):
        raise BindingError("not an envelope made by wrap_soap12: cannot add header blocks")
    if head.endswith(b"</env:Header>"):
        head = head[: -len(b"</env:Header>")] + extra + b"</env:Header>"
    else:
        head += b"<env:Header>" + extra + b"</env:Header>"
    return head + found + rest


def wrap_axl(payload: str) -> bytes:
    """Wrap a serialized ``request``/``response`` element in the declared CME envelope."""
    return (_HEAD + payload + _TAIL).encode("utf-8")


class EnvelopeFormat:
    """One envelope style: how its messages are wrapped, found and named (registered by name).

    A style is a subclass registered with :func:`register_envelope`; the manifest's
    ``envelope`` names it, and readers, writers, the detector and the streaming reader ask
    it rather than knowing any API.
    """

    #: The style's name, as the manifest's ``envelope`` gives it.
    name: ClassVar[str]
    #: ``{namespace}local`` tags of the elements from the document element down to the
    #: message's parent (CME: ``SOAP-ENV:Envelope``, ``SOAP-ENV:Body``, ``axl``); empty when
    #: the body's one element or the document element itself is the message.
    path: ClassVar[tuple[str, ...]] = ()
    #: That path as an error text shows it.
    path_text: ClassVar[str] = ""
    #: The message elements' own tags when they are fixed (CME ``request``/``response``,
    #: the model named by ``xsi:type``); empty when the element's name names the message.
    messages: ClassVar[tuple[str, ...]] = ()
    #: The document elements this style's messages arrive in, besides the messages' own.
    roots: ClassVar[tuple[str, ...]] = ()
    #: The media type of a request in this style (None: no generated client writes it, EM's
    #: form field and REST JSON have hand-written ones); a manifest's ``content_type`` wins.
    content_type: ClassVar[str | None] = "application/xml; charset=utf-8"
    #: The markup of the style's bodies: ``"JSON"`` is read by :mod:`ucxml._jsondocs`, not
    #: as an XML document (no claim, unwrap or wrap).
    markup: ClassVar[Literal["XML", "JSON"]] = "XML"
    #: Whether the streaming reader (:mod:`ucxml._fastpath`) reads this style's answers
    #: record by record; it reads them where :attr:`path` and :attr:`messages` say.
    streams: ClassVar[bool] = False
    #: Whether an answer of this style that is one list of records can be read record by
    #: record (``ucxml.iter_records``, a client's ``stream=True``): by the fast path's
    #: streaming reader when :attr:`streams`, else by :mod:`ucxml._records`, which finds
    #: the message as :meth:`unwrap` does (the document element, or an envelope's Body).
    record_streams: ClassVar[bool] = False

    def fault(self, root: etree._Element) -> SoapFault | None:
        """The fault an answer's document carries in this style (None: it carries none).

        Args:
            root: the answer's document element.
        """
        return None

    def request_headers(self, content_type: str, action: str | None) -> dict[str, str]:
        """The headers that say what a request is: its media type and, for a SOAP style,
        the operation's action (as its SOAP version says it).

        Args:
            content_type: the API's request media type.
            action: the operation's SOAP action (its WSDL's ``soapAction``), if any.
        """
        return {"Content-Type": content_type}

    def shows_message(self, head: bytes) -> bool:
        """Whether the first bytes of a payload show one of this style's messages, unparsed:
        the cue to stream it (only for a style that :attr:`streams`).

        Args:
            head: the payload's first bytes (4 KiB).
        """
        return False

    def claims(
        self, root: etree._Element, roots: Container[str], headers: Container[str], dispatch: str
    ) -> Claim:
        """How strongly ``root`` looks like a message of an API of this style.

        Args:
            root: the document element.
            roots: the ``{namespace}local`` tags the API's documents start with.
            headers: the local names of the API's SOAP header blocks.
            dispatch: how the API names its messages (``root``, ``xsi:type``).
        """
        if str(root.tag) not in roots:
            return 0
        if str(root.tag).rpartition("}")[2] == "Envelope":
            return _soap_claim(root, roots, headers)
        # An element named by xsi:type belongs to an API that dispatches on it.
        if dispatch == "root" and root.get(XSI_TYPE) is not None:
            return 0
        return 1

    def unwrap(self, root: etree._Element) -> tuple[MessagePayload, list[Issue]]:
        """The message element under ``root`` and the warnings of the wrapping.

        Raises:
            BindingError: ``root`` is not wrapped as this style wraps.
        """
        local = str(root.tag).rpartition("}")[2]
        return MessagePayload(root, "", local, local, False), []

    def wrap(self, payload: str, header: str = "") -> bytes:
        """The document carrying the serialized message ``payload`` (and ``header`` blocks)."""
        return ('<?xml version="1.0" encoding="UTF-8"?>\n' + payload).encode("utf-8")


_FORMATS: dict[str, EnvelopeFormat] = {}


def _soap_claim(root: etree._Element, roots: Container[str], headers: Container[str]) -> Claim:
    """A SOAP envelope is an API's when its body's message is one of the API's roots, or,
    with an empty body, when a header block is one of the API's."""
    parts = {str(c.tag).rpartition("}")[2]: c for c in root if isinstance(c.tag, str)}
    body = parts.get("Body")
    if body is not None:
        for inner in body:
            if isinstance(inner.tag, str):
                return 2 if inner.tag in roots else 0
    header = parts.get("Header")
    blocks = [c for c in header if isinstance(c.tag, str)] if header is not None else []
    return 1 if any(str(b.tag).rpartition("}")[2] in headers for b in blocks) else 0


def register_envelope(cls: type[EnvelopeFormat]) -> type[EnvelopeFormat]:
    """Register an envelope style under its ``name`` (usable as a class decorator)."""
    _FORMATS[cls.name] = cls()
    return cls


def envelope_styles() -> tuple[str, ...]:
    """The names of the registered envelope styles."""
    return tuple(_FORMATS)


def envelope_format(style: str) -> EnvelopeFormat:
    """The registered envelope style named ``style``.

    Raises:
        BindingError: no style of that name is registered.
    """
    try:
        return _FORMATS[style]
    except KeyError:
        raise BindingError(f"unsupported envelope style {style!r}") from None


def is_json(style: str) -> bool:
    """Whether the envelope style named ``style`` carries JSON bodies (REST), not XML."""
    return envelope_format(style).markup == "JSON"


@register_envelope
class CmeAxlEnvelope(EnvelopeFormat):
    """CME: ``SOAP-ENV:Envelope/SOAP-ENV:Body/axl/request|response`` named by ``xsi:type``
    (bare ``request``/``response`` read too; the 12.x form is named by its child)."""

    name = "cme-axl"
    path = (_ENVELOPE, _BODY, "axl")
    path_text = "SOAP-ENV:Envelope/SOAP-ENV:Body/axl"
    messages = ("request", "response")
    roots = (_ENVELOPE, "axl")
    #: What every CME message type is called (``ISgetGlobal``, ``ISuser``...): a bare 12.x
    #: ``<request>`` is named by a child of that name, EM's never is.
    type_prefix: ClassVar[str] = "IS"
    content_type = "text/xml; charset=utf-8"
    streams = True
    record_streams = True
    # a bare message named by its child: <response><ISgetGlobal...
    _NAMED = re.compile(rb"<(?:request|response)\s*>\s*<IS")

    def shows_message(self, head: bytes) -> bool:
        if b"request" not in head and b"response" not in head:
            return False
        return b"xsi:type=" in head or self._NAMED.search(head) is not None

    def claims(
        self, root: etree._Element, roots: Container[str], headers: Container[str], dispatch: str
    ) -> Claim:
        claim = super().claims(root, roots, headers, dispatch)
        if not claim or str(root.tag) not in self.messages:
            return claim
        if root.get(XSI_TYPE) is not None:
            return 2
        first = next((c for c in root if isinstance(c.tag, str)), None)
        return 2 if first is not None and str(first.tag).startswith(self.type_prefix) else 0

    def unwrap(self, root: etree._Element) -> tuple[MessagePayload, list[Issue]]:
        return unwrap_axl(root)

    def wrap(self, payload: str, header: str = "") -> bytes:
        return wrap_axl(payload)


@register_envelope
class Soap12Envelope(EnvelopeFormat):
    """EPAS: a SOAP 1.2 envelope (1.1 read with a warning) whose body's element is the message."""

    name = "soap12"
    roots = (f"{{{SOAP12_NS}}}Envelope", _ENVELOPE)
    record_streams = True
    content_type = "application/soap+xml; charset=utf-8"

    def request_headers(self, content_type: str, action: str | None) -> dict[str, str]:
        # SOAP 1.2 carries the action as a parameter of the media type (RFC 3902).
        if not action:
            return {"Content-Type": content_type}
        return {"Content-Type": f'{content_type}; action="{action}"'}

    def fault(self, root: etree._Element) -> SoapFault | None:
        return soap_fault(root)

    def unwrap(self, root: etree._Element) -> tuple[MessagePayload, list[Issue]]:
        return unwrap_soap(root)

    def wrap(self, payload: str, header: str = "") -> bytes:
        return wrap_soap12(payload, header)


@register_envelope
class Soap11Envelope(EnvelopeFormat):
    """A SOAP 1.1 service (the WSDLs of a CUCM's AXL, RisPort70, PerfmonService...): the
    body's element is the message; the action goes in the ``SOAPAction`` header."""

    name = "soap11"
    roots = (_ENVELOPE,)
    record_streams = True
    content_type = "text/xml; charset=utf-8"

    def request_headers(self, content_type: str, action: str | None) -> dict[str, str]:
        # SOAP 1.1 wants the header on every request, quoted, empty when there is no action.
        return {"Content-Type": content_type, "SOAPAction": f'"{action or ""}"'}

    def fault(self, root: etree._Element) -> SoapFault | None:
        return soap_fault(root)

    def unwrap(self, root: etree._Element) -> tuple[MessagePayload, list[Issue]]:
        return unwrap_soap(root, "1.1")

    def wrap(self, payload: str, header: str = "") -> bytes:
        return wrap_soap12(payload, header, SOAP11_NS)


@register_envelope
class DocumentEnvelope(EnvelopeFormat):
    """UCCN and PIDF (SIP bodies): the document element is the message."""

    name = "document"
    record_streams = True


@register_envelope
class EmFormEnvelope(EnvelopeFormat):
    """EM: the document element is the message; the transport form-encodes the document
    as the ``xml`` field (POST) or query parameter (GET)."""

    name = "em-form"
    content_type = None


@register_envelope
class JsonEnvelope(EnvelopeFormat):
    """REST JSON (the CC-Gateway): the body is the message, read by :mod:`ucxml._jsondocs`;
    there is no XML document to claim, unwrap or wrap."""

    name = "json"
    content_type = None
    markup = "JSON"

    def claims(
        self, root: etree._Element, roots: Container[str], headers: Container[str], dispatch: str
    ) -> Claim:
        return 0

    def unwrap(self, root: etree._Element) -> tuple[MessagePayload, list[Issue]]:
        raise BindingError("a JSON API's messages are no XML documents")

    def wrap(self, payload: str, header: str = "") -> bytes:
        raise BindingError("a JSON API's messages are written as JSON, not in an XML envelope")


def unwrap(style: str, root: etree._Element) -> tuple[MessagePayload, list[Issue]]:
    """Find the message element of an API whose envelope style is ``style``."""
    return envelope_format(style).unwrap(root)


def wrap(style: str, payload: str, header: str = "") -> bytes:
    """Wrap a serialized message element in the envelope style ``style``."""
    return envelope_format(style).wrap(payload, header)
