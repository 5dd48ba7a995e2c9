"""Deterministic synthetic CME ``ISgetDevice`` responses of any size.

Every device is an SCCP ephone shaped like the documented example
(``schemas/cme/examples/corrected/11-ISgetDevice-sccp-response.xml``): ``ISDevID``,
``ISDevName`` (``SEP`` and 12 hex digits), ``ISDevType``, ``ISDevUserName``, one or two
``ISDevLineButton``, ``ISDevAddr``, ``ISPhoneLineList`` with one or two ``ExtMapStatus``,
``ISKeyPhone``, ``ISTapiClientAddr``, ``ISDevStatus``, ``ISDevLastStatus``,
``ISDevChangeTime``, ``ISDevKeepAlives``, the four empty TAPI fields and ``ISDevDND``.

The values are a pure function of the device's index, so the same ``count`` always gives
the same bytes, and :func:`device_specs` tells a test exactly what the generator put in.

:func:`get_device_response_12x` writes the same devices as a CME 12.x router answers
(IOS XE, the 2022 guide; ``schemas/cme/examples/realworld/adm-ISgetDevice-response.xml``):
a bare ``<response>``, no envelope and no ``xsi:type``, the devices inside ``<ISDevices>``,
the line buttons inside ``<ISDevLineButtons>``, ``ISDevUsername`` and ``ISTapiCLastStatus``
spelled as 12.x spells them, plus the two elements only 12.x has (:data:`TWELVE_X_ONLY`):
``ISconfigDevType`` and ``description``. One element a line, no indentation, as the router
writes it. :func:`get_device_response_12x_peer` writes the same devices in the 2008 shape
(a bare ``<response xsi:type="ISgetDeviceResponse">``), for a parser that cannot read the
12.x shape (xsdata's generic one): what it must bind to produce the same objects.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator
from dataclasses import dataclass
from xml.sax.saxutils import escape

__all__ = [
    "SOAP_ENV_NS",
    "TWELVE_X_ONLY",
    "XSI_NS",
    "DeviceSpec",
    "ExtensionSpec",
    "LineButtonSpec",
    "bare_response",
    "device_spec",
    "device_specs",
    "get_device_response",
    "get_device_response_12x",
    "get_device_response_12x_peer",
    "http_capture",
    "render_device",
    "render_device_12x",
    "sip_capture",
]

SOAP_ENV_NS = "http://schemas.xmlsoap.org/soap/envelope/"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
#: The elements of a 12.x ``ISDevice`` the 2008 guide does not have: the configured phone
#: type (``type 7911`` of the ephone) and the ephone's ``description``.
TWELVE_X_ONLY = ("ISconfigDevType", "description")

_DEVICE_TYPES = (
    "IP Phone Telecaster 7960",
    "IP Phone Telecaster 7940",
    "IP Phone 7945",
    "IP Phone 7965",
    "IP Phone 7975",
)
_LINE_STATES = ("idle", "idle", "idle", "ringing", "connected", "hold")
_BASE_MAC = 0x00036B09538A  # the documented example's phone
_MAC_STEP = 0x1F3D  # odd, so the names stay distinct over the whole 48-bit range


@dataclass(frozen=True, slots=True)
class LineButtonSpec:
    """One ``ISDevLineButton``: button number and mode."""

    button_id: int
    mode: str


@dataclass(frozen=True, slots=True)
class ExtensionSpec:
    """One ``ExtMapStatus`` of ``ISPhoneLineList``."""

    line_id: int
    ext_id: int
    number: str
    status: bool
    line_state: str


@dataclass(frozen=True, slots=True)
class DeviceSpec:
    """What the generator writes for one SCCP device (``ISDevice``), as Python values."""

    dev_id: int
    name: str
    dev_type: str
    user_name: str
    line_buttons: tuple[LineButtonSpec, ...]
    address: str
    extensions: tuple[ExtensionSpec, ...]
    key_phone: bool
    tapi_client_address: str
    status: str
    last_status: str
    change_time: int
    keep_alives: int
    dnd: str

    @property
    def config_type(self) -> str:
        """``ISconfigDevType`` (12.x only): the configured model, the type's last word."""
        return self.dev_type.rsplit(" ", 1)[-1]

    @property
    def description(self) -> str:
        """``description`` (12.x only): the ephone's description, ``ephone{n}``."""
        return f"ephone{self.dev_id}"


def device_spec(index: int) -> DeviceSpec:
    """The device at 0-based ``index``: every value derived from the index alone."""
    if index < 0:
        raise ValueError(f"device index must be >= 0, got {index}")
    number = index + 1
    lines = 2 if index % 3 == 0 else 1
    mac = (_BASE_MAC + index * _MAC_STEP) & 0xFFFFFFFFFFFF
    registered = index % 10 != 7
    return DeviceSpec(
        dev_id=number,
        name=f"SEP{mac:012X}",
        dev_type=_DEVICE_TYPES[index % len(_DEVICE_TYPES)],
        user_name=f"ephone{number}",
        line_buttons=tuple(LineButtonSpec(button, "Normal") for button in range(1, lines + 1)),
        address=f"10.{(index // 62500) % 256}.{(index // 250) % 250}.{index % 250 + 2}",
        extensions=tuple(
            ExtensionSpec(
                line_id=line,
                ext_id=2 * index + line,
                number=str(2000 + 2 * index + line),
                status=registered,
                line_state=_LINE_STATES[(index + line) % len(_LINE_STATES)],
            )
            for line in range(1, lines + 1)
        ),
        key_phone=index % 5 == 4,
        tapi_client_address="0.0.0.0",
        status="registered" if registered else "unregistered",
        last_status="unregistered" if registered else "registered",
        change_time=54887 + 13 * index,
        keep_alives=21 + index % 480,
        dnd="yes" if index % 9 == 8 else "no",
    )


def device_specs(count: int) -> list[DeviceSpec]:
    """The first ``count`` devices, in document order."""
    return [device_spec(index) for index in range(count)]


def _bool(value: bool) -> str:
    return "true" if value else "false"


def render_device(spec: DeviceSpec, indent: str = "        ") -> str:
    """One ``<ISDevice>`` element, indented like the documented example."""
    i1, i2, i3 = indent, indent + "  ", indent + "    "
    i4 = i3 + "  "
    out = [
        f"{i1}<ISDevice>",
        f"{i2}<ISDevID>{spec.dev_id}</ISDevID>",
        f"{i2}<ISDevName>{spec.name}</ISDevName>",
        f"{i2}<ISDevType>{escape(spec.dev_type)}</ISDevType>",
        f"{i2}<ISDevUserName>{escape(spec.user_name)}</ISDevUserName>",
    ]
    for button in spec.line_buttons:
        out += [
            f"{i2}<ISDevLineButton>",
            f"{i3}<ISDevLineButtonID>{button.button_id}</ISDevLineButtonID>",
            f"{i3}<ISDevLineButtonMode>{escape(button.mode)}</ISDevLineButtonMode>",
            f"{i2}</ISDevLineButton>",
        ]
    out += [
        f"{i2}<ISDevAddr>",
        f"{i3}<Xipv4Address>{spec.address}</Xipv4Address>",
        f"{i2}</ISDevAddr>",
        f"{i2}<ISPhoneLineList>",
    ]
    for ext in spec.extensions:
        out += [
            f"{i3}<ExtMapStatus>",
            f"{i4}<LineId>{ext.line_id}</LineId>",
            f"{i4}<ExtId>{ext.ext_id}</ExtId>",
            f"{i4}<ExtNumber>{escape(ext.number)}</ExtNumber>",
            f"{i4}<ExtStatus>{_bool(ext.status)}</ExtStatus>",
            f"{i4}<LineState>{ext.line_state}</LineState>",
            f"{i3}</ExtMapStatus>",
        ]
    out += [
        f"{i2}</ISPhoneLineList>",
        f"{i2}<ISKeyPhone>{_bool(spec.key_phone)}</ISKeyPhone>",
        f"{i2}<ISTapiClientAddr>",
        f"{i3}<Xipv4Address>{spec.tapi_client_address}</Xipv4Address>",
        f"{i2}</ISTapiClientAddr>",
        f"{i2}<ISDevStatus>{spec.status}</ISDevStatus>",
        f"{i2}<ISDevLastStatus>{spec.last_status}</ISDevLastStatus>",
        f"{i2}<ISDevChangeTime>{spec.change_time}</ISDevChangeTime>",
        f"{i2}<ISDevKeepAlives>{spec.keep_alives}</ISDevKeepAlives>",
        f"{i2}<ISDevTapiCStatus></ISDevTapiCStatus>",
        f"{i2}<ISDevTapiCLastStatus></ISDevTapiCLastStatus>",
        f"{i2}<ISTapiCChangeTime></ISTapiCChangeTime>",
        f"{i2}<ISTapiCKeepAlive></ISTapiCKeepAlive>",
        f"{i2}<ISDevDND>{spec.dnd}</ISDevDND>",
        f"{i1}</ISDevice>",
    ]
    return "\n".join(out)


def _devices(count: int, indent: str) -> Iterator[str]:
    for index in range(count):
        yield render_device(device_spec(index), indent)


def get_device_response(count: int) -> bytes:
    """The full declared CME message: ``SOAP-ENV:Envelope/SOAP-ENV:Body/axl/response``.

    ``<response xsi:type="ISgetDeviceResponse">`` holds ``count`` SCCP devices.
    """
    if count < 0:
        raise ValueError(f"device count must be >= 0, got {count}")
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV_NS}" xmlns:xsi="{XSI_NS}">',
        "  <SOAP-ENV:Body>",
        "    <axl>",
        '      <response xsi:type="ISgetDeviceResponse">',
        *_devices(count, "        "),
        "      </response>",
        "    </axl>",
        "  </SOAP-ENV:Body>",
        "</SOAP-ENV:Envelope>",
    ]
    return "\n".join(parts).encode("utf-8")


def bare_response(count: int) -> bytes:
    """Only the ``<response>`` element of :func:`get_device_response`, as a document.

    The devices are byte-for-byte those of the enveloped message (same indentation); the
    element declares ``xsi`` itself, since it has no envelope to inherit it from.
    """
    if count < 0:
        raise ValueError(f"device count must be >= 0, got {count}")
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<response xmlns:xsi="{XSI_NS}" xsi:type="ISgetDeviceResponse">',
        *_devices(count, "        "),
        "      </response>",
    ]
    return "\n".join(parts).encode("utf-8")


def render_device_12x(
    spec: DeviceSpec, *, shape: str = "12.x", twelve_x_only: Collection[str] = TWELVE_X_ONLY
) -> str:
    """One ``<ISDevice>`` as a 12.x router writes it: one element a line, no indentation.

    ``shape="2008"`` writes the same device in the 2008 shape (no ``ISDevLineButtons``
    container, the 2008 spellings), element for element otherwise; ``twelve_x_only``
    says which of :data:`TWELVE_X_ONLY` to write (all of them in the 12.x shape, by
    default; a 2008-shaped peer writes only those its models have fields for).
    """
    if shape not in ("12.x", "2008"):
        raise ValueError(f"shape must be '12.x' or '2008', got {shape!r}")
    twelve = shape == "12.x"
    buttons = "".join(
        "<ISDevLineButton>"
        f"<ISDevLineButtonID>{button.button_id}</ISDevLineButtonID>"
        f"<ISDevLineButtonMode>{escape(button.mode)}</ISDevLineButtonMode>"
        "</ISDevLineButton>"
        for button in spec.line_buttons
    )
    out = [
        "<ISDevice>",
        f"<ISDevID>{spec.dev_id}</ISDevID>",
        f"<ISDevName>{spec.name}</ISDevName>",
        f"<ISDevType>{escape(spec.dev_type)}</ISDevType>",
    ]
    if "ISconfigDevType" in twelve_x_only:
        out.append(f"<ISconfigDevType>{escape(spec.config_type)}</ISconfigDevType>")
    user = "ISDevUsername" if twelve else "ISDevUserName"
    out += [
        f"<{user}>{escape(spec.user_name)}</{user}>",
        f"<ISDevLineButtons>{buttons}</ISDevLineButtons>" if twelve else buttons,
    ]
    if "description" in twelve_x_only:
        out.append(f"<description>{escape(spec.description)}</description>")
    out += [
        f"<ISDevAddr><Xipv4Address>{spec.address}</Xipv4Address></ISDevAddr>",
        "<ISPhoneLineList>",
    ]
    for ext in spec.extensions:
        out += [
            "<ExtMapStatus>",
            f"<LineId>{ext.line_id}</LineId>",
            f"<ExtId>{ext.ext_id}</ExtId>",
            f"<ExtNumber>{escape(ext.number)}</ExtNumber>",
            f"<ExtStatus>{_bool(ext.status)}</ExtStatus>",
            f"<LineState>{ext.line_state}</LineState>",
            "</ExtMapStatus>",
        ]
    tapi_last = "ISTapiCLastStatus" if twelve else "ISDevTapiCLastStatus"
    out += [
        "</ISPhoneLineList>",
        f"<ISKeyPhone>{_bool(spec.key_phone)}</ISKeyPhone>",
        f"<ISTapiClientAddr><Xipv4Address>{spec.tapi_client_address}</Xipv4Address>"
        "</ISTapiClientAddr>",
        f"<ISDevStatus>{spec.status}</ISDevStatus>"
        f"<ISDevLastStatus>{spec.last_status}</ISDevLastStatus>",
        f"<ISDevChangeTime>{spec.change_time}</ISDevChangeTime>"
        f"<ISDevKeepAlives>{spec.keep_alives}</ISDevKeepAlives>",
        f"<ISDevTapiCStatus /><{tapi_last} /><ISTapiCChangeTime /><ISTapiCKeepAlive />",
        f"<ISDevDND>{spec.dnd}</ISDevDND>",
        "</ISDevice>",
    ]
    return "\n".join(out)


def get_device_response_12x(count: int) -> bytes:
    """The 12.x answer of the same ``count`` devices as :func:`get_device_response`.

    ``<response><ISDevices><ISDevice>...`` with no envelope and no ``xsi:type``, every
    device with ``ISconfigDevType`` and ``description`` (:data:`TWELVE_X_ONLY`), as a
    router sends them whether or not the schema knows them yet.
    """
    if count < 0:
        raise ValueError(f"device count must be >= 0, got {count}")
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        "<response>",
        "<ISDevices>",
        *(render_device_12x(device_spec(index)) for index in range(count)),
        "</ISDevices>",
        "</response>",
    ]
    return "\n".join(parts).encode("utf-8")


def get_device_response_12x_peer(count: int, *, twelve_x_only: Collection[str] = ()) -> bytes:
    """The devices of :func:`get_device_response_12x` in the 2008 shape, laid out alike.

    A bare ``<response xsi:type="ISgetDeviceResponse">`` holding the ``ISDevice`` elements
    directly, the 2008 spellings, and of :data:`TWELVE_X_ONLY` only ``twelve_x_only`` (the
    ones the models have fields for: a generic parser fails on the others). What xsdata's
    generic parser binds to produce the objects ``ucxml.parse`` reads from the 12.x answer.
    """
    if count < 0:
        raise ValueError(f"device count must be >= 0, got {count}")
    unknown = set(twelve_x_only) - set(TWELVE_X_ONLY)
    if unknown:
        raise ValueError(f"not 12.x-only elements: {sorted(unknown)}")
    parts = [
        '<?xml version="1.0" encoding="UTF-8"?>',
        f'<response xmlns:xsi="{XSI_NS}" xsi:type="ISgetDeviceResponse">',
        *(
            render_device_12x(device_spec(index), shape="2008", twelve_x_only=twelve_x_only)
            for index in range(count)
        ),
        "</response>",
    ]
    return "\n".join(parts).encode("utf-8")


def _http_exchange(index: int) -> bytes:
    """One CME request and its answer, as a capture prints them (CRLF, Content-Length)."""
    request = (
        '<?xml version="1.0" encoding="UTF-8"?>\n'
        f'<SOAP-ENV:Envelope xmlns:SOAP-ENV="{SOAP_ENV_NS}" xmlns:xsi="{XSI_NS}">'
        '<SOAP-ENV:Body><axl><request xsi:type="ISgetDevice"><ISgetDevice>'
        f"<ISDevName>SEP{index:012X}</ISDevName></ISgetDevice></request></axl>"
        "</SOAP-ENV:Body></SOAP-ENV:Envelope>\n"
    ).encode()
    first = device_spec(0).name.encode()
    answer = get_device_response(1).replace(first, f"SEP{index:012X}".encode(), 1)
    return (
        b"POST /ios_xml_app/cme HTTP/1.1\r\nHost: router\r\nContent-Type: text/xml\r\n"
        + f"Content-Length: {len(request)}\r\n\r\n".encode()
        + request
        + b"HTTP/1.1 200 OK\r\nContent-Type: text/xml\r\n"
        + f"Content-Length: {len(answer)}\r\n\r\n".encode()
        + answer
    )


def http_capture(exchanges: int) -> bytes:
    """A capture of ``exchanges`` CME request/answer pairs, one after the other."""
    return b"".join(_http_exchange(i) for i in range(exchanges))


def sip_capture(messages: int) -> bytes:
    """A capture of ``messages`` SIP NOTIFYs, each carrying a small PIDF document."""
    out = []
    for i in range(messages):
        body = (
            '<?xml version="1.0" encoding="UTF-8"?>\n'
            '<presence xmlns="urn:ietf:params:xml:ns:pidf" entity="sip:user@example.com">'
            f'<tuple id="t{i}"><status><basic>open</basic></status></tuple></presence>\n'
        ).encode()
        out.append(
            b"NOTIFY sip:watcher@10.0.0.2:5060 SIP/2.0\r\n"
            + f"Call-ID: {i}@10.0.0.1\r\nCSeq: {i + 1} NOTIFY\r\n".encode()
            + b"Event: presence\r\nContent-Type: application/pidf+xml\r\n"
            + f"Content-Length: {len(body)}\r\n\r\n".encode()
            + body
        )
    return b"".join(out)
