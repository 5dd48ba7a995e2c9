"""The CME XML API emulator: ``POST /ios_xml_app/cme`` over a :class:`CmeRouter`.

A request goes: fault injection (:class:`CmeFaults`) -> HTTP Basic authentication
(``router.check_credentials``) -> body read with a size cap (413) -> the project's
hardened reader, the schema and the binding (400 with a one-line reason) -> the router
(:class:`CmeService`) -> the response model, serialized by :func:`ucxml.documents.serialize`
and answered as ``200 text/xml``.  Every answer the service builds is valid against the
corrected CME schema.

The router model is SCCP-only: the SIP and presence methods answer from a small fixed
:class:`SipConfig`, and the SIP selectors of ``ISgetDevice`` / ``ISgetExtension``
(``ISPoolID``, ``ISPoolName``, ``ISVoiceReg*``) select nothing.
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field
from enum import Enum
from typing import Final

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from ucxml.documents import decode, read_message, serialize
from ucxml.emulator.bodies import read_body
from ucxml.emulator.cme_state import DN_UP, CmeRouter, Ephone, EphoneDn
from ucxml.emulator.faults import Faults, FaultStyle, answer_with_faults
from ucxml.errors import BindingError, XmlError
from ucxml.generated.cme import models as m
from ucxml.registry import binding, lxml_schema

__all__ = [
    "CME_PATH",
    "DEFAULT_REALM",
    "MAX_BODY_BYTES",
    "CmeFaults",
    "CmeService",
    "SessionServer",
    "SipConfig",
    "cme_routes",
    "create_cme_app",
]

CME_PATH: Final = "/ios_xml_app/cme"
"""The path of the CME XML API on a router (CME 4.0 and later)."""
DEFAULT_REALM: Final = "CME XML API"
"""Realm announced in ``WWW-Authenticate``."""
MAX_BODY_BYTES: Final = 1024 * 1024
"""Largest request body accepted; larger ones are answered 413."""

_XML_MEDIA_TYPE: Final = "text/xml"
_NO_ADDRESS: Final = "0.0.0.0"
_ALL_TAG: Final = "allTag"
_SPACES: Final = re.compile(r"\s+")
_REASON_MAX: Final = 300
_GARBAGE: Final = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b"<SOAP-ENV:Envelope><SOAP-ENV:Body><axl><response xsi:type=ISgetGlobalResponse>"
    b"<ISAddress>10.10.10.1</ISAddr"
)
_HTML_PAGE: Final = (
    "<html><head><title>Error</title></head><body>"
    "<h1>Internal Server Error</h1><p>The requested URL could not be served.</p>"
    "</body></html>\n"
)


# --------------------------------------------------------------------------- configuration


class CmeFaults(Faults):
    """Faults injected into every CME answer while set (see :class:`Faults`)."""


@dataclass(frozen=True, slots=True)
class SessionServer:
    """A SIP session server (``voice register session-server``)."""

    tag: int
    register_id: str
    keepalives: int


@dataclass(frozen=True, slots=True)
class SipConfig:
    """The fixed SIP (``voice register global``) and presence settings of the emulator.

    ``address`` None reports the router's ``ip source-address``.  Defaults follow the
    guide's examples.
    """

    address: str | None = None
    mode: str = "cme"
    version: str = "4.0(0)"
    service_engine: str = _NO_ADDRESS
    auth_mode: str = "all"
    port: int = 5060
    max_pool: int = 10
    max_dn: int = 10
    max_redirect: int = 5
    session_servers: tuple[SessionServer, ...] = (SessionServer(1, "CRS", 60),)
    presence_enabled: bool = False
    presence_mode: str = "cme"
    allow_subscribe: bool = False
    allow_watch: bool = False
    max_subscriptions: int = 100
    sip_ua_presence: bool = False


# --------------------------------------------------------------------------- the service


def _text(value: str | Enum) -> str:
    """A selector as the router reads it: an enum keyword's value, or the string."""
    return str(value.value) if isinstance(value, Enum) else value


def _device_type(kind: str | None) -> str | None:
    """``ISDevType`` text: ``IP Phone 7960`` for phone models, else the type as configured."""
    if kind is None:
        return None
    return f"IP Phone {kind}" if kind[:1].isdigit() else kind


@dataclass(slots=True)
class CmeService:
    """Answers decoded CME requests from a :class:`CmeRouter` (no HTTP involved).

    :meth:`answer` takes a request model of :mod:`ucxml.generated.cme.models` and returns
    the matching response model.
    """

    router: CmeRouter
    sip: SipConfig = field(default_factory=SipConfig)

    def answer(self, request: m.ISRequest) -> m.ISResponse:
        """The response model for ``request``.

        Raises:
            TypeError: ``request`` is not one of the 15 CME request types.
        """
        match request:
            case m.ISexecCLI():
                return self._exec_cli(request)
            case m.ISSaveConfig():
                result = m.SaveConfigResult(self.router.save_config())
                return m.ISSaveConfigResponse(save_config_result=result)
            case m.ISgetGlobal():
                return self._get_global()
            case m.ISgetDevice():
                return self._get_device(request.get_device)
            case m.ISgetExtension():
                return self._get_extension(request.get_extension)
            case m.ISsetKeyPhones():
                results = self.router.set_keyphones(request.set_key_phones.phone_name)
                return m.ISsetKeyPhonesResponse(set_result=results)
            case m.ISunsetKeyPhones():
                results = self.router.unset_keyphones(request.unset_key_phones.phone_name)
                return m.ISunsetKeyPhonesResponse(unset_result=results)
            case m.ISgetEvtCounts():
                devices, extensions = self.router.event_counts()
                return m.ISgetEvtCountsResponse(dev_evt_count=devices, ext_evt_count=extensions)
            case m.ISgetDevEvts():
                return self._get_dev_evts(request.get_dev_evts)
            case m.ISgetExtEvts():
                return self._get_ext_evts(request.get_ext_evts)
            case m.ISgetUser():
                return self._get_user(request.get_user.user_id)
            case m.ISupdateUser():
                params = request.update_user
                error = self.router.update_user(params.user_id, params.password)
                return m.ISupdateUserResponse(set_result=error is None, set_error=error)
            case m.ISgetVoiceRegGlobal():
                return self._get_voice_reg_global()
            case m.ISgetSessionServer():
                return self._get_session_server(request.get_session_server)
            case m.ISgetPresenceGlobal():
                return self._get_presence_global()
        raise TypeError(f"{type(request).__qualname__} is not a CME request")

    # ------------------------------------------------------------------ configuration

    def _exec_cli(self, request: m.ISexecCLI) -> m.ISexecCLIResponse:
        line, error = self.router.exec_cli(list(request.exec_cli.cli))
        return m.ISexecCLIResponse(result=line, error=error)

    def _get_global(self) -> m.ISgetGlobalResponse:
        info = self.router.global_info()
        return m.ISgetGlobalResponse(
            address=info.address,
            mode=info.mode,
            version=info.version,
            device_registered=info.registered,
            peak_device_registered=info.peak_registered,
            peak_device_registered_time=info.peak_registered_time,
            keep_alive_interval=info.keepalive_interval,
            configured_device=info.configured_devices,
            configured_extension=info.configured_extensions,
            service_engine=info.service_engine,
            name=info.host_name,
            port_number=info.port,
            max_conference=info.max_conferences,
            max_redirect=info.max_redirect,
            max_ephone=info.max_ephones,
            max_dn=info.max_dn,
            voice_mail=info.voicemail,
            url_services=[
                m.UrlService(url_type=kind, url_link=link) for kind, link in info.url_services
            ],
        )

    # ------------------------------------------------------------------ devices

    def _get_device(self, params: m.ISgetDeviceParams) -> m.ISgetDeviceResponse:
        names = [_text(name) for name in params.dev_name]
        full = self.router.devices(params.dev_id, [n for n in names if n != _ALL_TAG])
        tags_only: list[Ephone] = []
        if _ALL_TAG in names:
            detailed = {ephone.tag for ephone in full}
            everyone = self.router.devices(names=[_ALL_TAG])
            tags_only = [ephone for ephone in everyone if ephone.tag not in detailed]
        dns = {dn.tag: dn for dn in self.router.extensions(numbers=["all"])}
        devices = [(e.tag, self._device(e, dns)) for e in full]
        devices += [(e.tag, m.ISDevice(dev_id=e.tag)) for e in tags_only]
        # ISPoolID / ISPoolName select SIP phones: none are configured.
        return m.ISgetDeviceResponse(device=[device for _, device in sorted(devices)])

    @staticmethod
    def _device(ephone: Ephone, dns: dict[int, EphoneDn]) -> m.ISDevice:
        lines: list[m.ExtMapStatus] = []
        for index, button in sorted(ephone.buttons.items()):
            dn = dns.get(button.dn_tag)
            up = dn is not None and dn.status == DN_UP
            lines.append(
                m.ExtMapStatus(
                    line_id=index,
                    ext_id=button.dn_tag,
                    ext_number=(dn.number or "") if dn is not None else "",
                    ext_status=up,
                    line_state=m.LineState.IDLE if up else m.LineState.DOWN,
                )
            )
        return m.ISDevice(
            dev_id=ephone.tag,
            dev_name=ephone.mac,
            dev_type=_device_type(ephone.type),
            dev_user_name=ephone.username,
            dev_line_button=[
                m.LineButton(dev_line_button_id=index, dev_line_button_mode=button.mode)
                for index, button in sorted(ephone.buttons.items())
            ],
            dev_addr=m.Address(xipv4_address=ephone.address),
            phone_line_list=m.PhoneLineList(ext_map_status=lines),
            key_phone=ephone.keyphone,
            tapi_client_addr=m.Address(xipv4_address=_NO_ADDRESS),
            dev_status=m.DeviceStatus(ephone.status),
            dev_last_status=m.DeviceStatus(ephone.last_status),
            dev_change_time=ephone.change_time,
            dev_keep_alives=ephone.keepalives,
            dev_tapi_cstatus="",
            dev_tapi_clast_status="",
            tapi_cchange_time="",
            tapi_ckeep_alive="",
            dev_dnd=m.YesNo.NO,
        )

    # ------------------------------------------------------------------ extensions

    def _get_extension(self, params: m.ISgetExtensionParams) -> m.ISgetExtensionResponse:
        numbers = [_text(number) for number in params.ext_number]
        full = self.router.extensions(params.ext_id, [n for n in numbers if n != _ALL_TAG])
        tags_only: list[EphoneDn] = []
        if _ALL_TAG in numbers:
            detailed = {dn.tag for dn in full}
            everyone = self.router.extensions(numbers=[_ALL_TAG])
            tags_only = [dn for dn in everyone if dn.tag not in detailed]
        extensions = [(dn.tag, self._extension(dn)) for dn in full]
        extensions += [(dn.tag, m.ISExtension(ext_id=dn.tag)) for dn in tags_only]
        # ISVoiceRegDNID / ISVoiceRegNumber / ISVoiceRegDNName select SIP dns: none exist.
        return m.ISgetExtensionResponse(extension=[ext for _, ext in sorted(extensions)])

    def _extension(self, dn: EphoneDn) -> m.ISExtension:
        phones = self.router.phones_for_dn(dn.tag)
        up = dn.status == DN_UP
        return m.ISExtension(
            ext_id=dn.tag,
            ext_number=dn.number,
            ext_sec_number=dn.secondary_number,
            ext_type="normal",
            ext_status=m.ExtensionStatus(dn.status),
            ext_change_time=dn.change_time,
            ext_usage=0,
            ext_home_address=_NO_ADDRESS,
            ext_multi_lines=max(0, len(phones) - 1),
            ext_line_mode=m.LineMode(dn.line_mode),
            ext_call_status="IDLE" if up else "DOWN",
            allow_watch=False,
            first_name=dn.first_name,
            last_name=dn.last_name,
            call_forward_all=dn.call_forward_all,
            dev_list=m.ISDevList(device_id=phones),
        )

    # ------------------------------------------------------------------ events and users

    def _get_dev_evts(self, params: m.ISgetDevEvtsParams) -> m.ISgetDevEvtsResponse:
        names = [_text(name) for name in params.dev_name]
        events = self.router.device_events(params.dev_evt_id, params.dev_id, names)
        return m.ISgetDevEvtsResponse(
            dev_event=[
                m.ISDevEvent(
                    dev_id=event.tag,
                    dev_name=event.mac or None,
                    dev_event_time=event.time,
                    dev_event_type=event.type,
                    dev_status=m.DeviceStatus(event.status),
                )
                for event in events
            ]
        )

    def _get_ext_evts(self, params: m.ISgetExtEvtsParams) -> m.ISgetExtEvtsResponse:
        numbers = [_text(number) for number in params.ext_number]
        events = self.router.extension_events(params.ext_evt_id, params.ext_id, numbers)
        return m.ISgetExtEvtsResponse(
            ext_event=[
                m.ISExtEvent(
                    ext_id=event.tag,
                    ext_number=event.number or None,
                    ext_event_time=event.time,
                    ext_status_change_event=m.ExtensionStatusChange(event.status),
                )
                for event in events
            ]
        )

    def _get_user(self, user_id: str) -> m.ISgetUserResponse:
        tag, kind = self.router.get_user(user_id)
        user = m.ISuser(user_id=user_id, user_type=m.UserType(kind), user_tag=tag)
        return m.ISgetUserResponse(user=user)

    # ------------------------------------------------------------------ SIP and presence

    def _get_voice_reg_global(self) -> m.ISgetVoiceRegGlobalResponse:
        sip = self.sip
        address = sip.address if sip.address is not None else self.router.global_info().address
        return m.ISgetVoiceRegGlobalResponse(
            address=address,
            mode=sip.mode,
            version=sip.version,
            service_engine=sip.service_engine,
            auth_mode=sip.auth_mode,
            port_number=sip.port,
            max_pool=sip.max_pool,
            max_dn=sip.max_dn,
            max_redirect=sip.max_redirect,
        )

    def _get_session_server(
        self, params: m.ISgetSessionServerParams
    ) -> m.ISgetSessionServerResponse:
        servers = {s.tag: s for s in self.sip.session_servers}
        chosen: dict[int, m.ISSessionServer] = {}
        for tag in params.session_server_id:
            if tag in servers:
                chosen[tag] = self._session_server(servers[tag])
        for keyword in params.session_server_name:
            if keyword is m.PoolKeyword.ALL:
                chosen.update((tag, self._session_server(s)) for tag, s in servers.items())
            else:  # available: the next free tag, nothing configured on it
                free = next(tag for tag in range(1, len(servers) + 2) if tag not in servers)
                chosen.setdefault(free, m.ISSessionServer(session_server_id=free))
        return m.ISgetSessionServerResponse(session_server=[chosen[t] for t in sorted(chosen)])

    @staticmethod
    def _session_server(server: SessionServer) -> m.ISSessionServer:
        return m.ISSessionServer(
            session_server_id=server.tag,
            session_register_id=server.register_id,
            session_keep_alives=server.keepalives,
        )

    def _get_presence_global(self) -> m.ISgetPresenceGlobalResponse:
        sip = self.sip
        return m.ISgetPresenceGlobalResponse(
            presence_enable=sip.presence_enabled,
            mode=sip.presence_mode,
            allow_sub=sip.allow_subscribe,
            allow_watch=sip.allow_watch,
            max_sub_allow=sip.max_subscriptions,
            sip_ua_presence_status=sip.sip_ua_presence,
        )


# --------------------------------------------------------------------------- HTTP layer


def _one_line(text: str) -> str:
    line = _SPACES.sub(" ", text).strip()
    return line if len(line) <= _REASON_MAX else line[: _REASON_MAX - 3] + "..."


def _bad_request(reason: str) -> Response:
    return PlainTextResponse(_one_line(reason) + "\n", status_code=400)


def _credentials(header: str | None) -> tuple[str, str] | None:
    """User and password of an ``Authorization: Basic`` header, None if absent or bad."""
    if header is None:
        return None
    scheme, _, token = header.strip().partition(" ")
    if scheme.lower() != "basic":
        return None
    try:
        raw = base64.b64decode(token.strip(), validate=True)
    except (binascii.Error, ValueError):
        return None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        text = raw.decode("latin-1")
    user, colon, password = text.partition(":")
    return (user, password) if colon else None


class _CmeEndpoint:
    """The HTTP side of the emulator: faults, authentication, body, parse, answer."""

    def __init__(
        self,
        service: CmeService,
        *,
        realm: str,
        faults: CmeFaults,
        max_body: int,
    ) -> None:
        self.service = service
        self.faults = faults
        self.max_body = max_body
        quoted = realm.replace("\\", "\\\\").replace('"', '\\"')
        self.challenge = f'Basic realm="{quoted}"'

    async def handle(self, request: Request) -> Response:
        style = FaultStyle(_XML_MEDIA_TYPE, _GARBAGE, _HTML_PAGE, self.challenge)
        return await answer_with_faults(self.faults, style, lambda: self._answer(request))

    async def _answer(self, request: Request) -> Response:
        # The body is read (capped) before the credentials are judged: answering first
        # left a broken chunked body to the server, which then answered it a second time.
        body = await self._read_body(request)
        credentials = _credentials(request.headers.get("authorization"))
        if credentials is None or not self.service.router.check_credentials(*credentials):
            return PlainTextResponse(
                "401 Unauthorized\n", status_code=401, headers={"WWW-Authenticate": self.challenge}
            )
        if isinstance(body, Response):
            return body
        try:
            model = self._decode(body)
        except _Rejected as rejected:
            return _bad_request(rejected.reason)
        return Response(serialize(self.service.answer(model)), media_type=_XML_MEDIA_TYPE)

    async def _read_body(self, request: Request) -> bytes | Response:
        """The request body, or the 413/400 answer (see :func:`read_body`)."""
        return await read_body(
            request, self.max_body, bad_length=_bad_request("invalid Content-Length")
        )

    def _decode(self, body: bytes) -> m.ISRequest:
        """Read, check and bind a request; raise :class:`_Rejected` with a reason."""
        if not body.strip():
            raise _Rejected("empty request body")
        try:
            message = read_message(body, "cme", max_bytes=self.max_body)
        except XmlError as exc:
            raise _Rejected(f"malformed XML: {exc}") from None
        except BindingError as exc:
            raise _Rejected(f"not a CME request: {exc}") from None
        if message.kind != "request":
            raise _Rejected(f"{message.type_name} is a {message.kind}, not a request")
        if binding("cme").model_for(message.type_name, "request") is None:
            raise _Rejected(f"not a CME request: unknown request type {message.type_name!r}")
        schema = lxml_schema("cme")
        if not schema.validate(message.document):
            error = schema.error_log.last_error
            detail = error.message if error is not None else "schema violation"
            raise _Rejected(f"invalid {message.type_name} request: {detail}")
        try:
            model = decode(message)
        except BindingError as exc:
            raise _Rejected(f"invalid {message.type_name} request: {exc}") from None
        if not isinstance(model, m.ISRequest):
            raise _Rejected(f"{message.type_name} is not a CME request")
        return model


class _Rejected(Exception):
    """A request the emulator answers 400, with the reason."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


# --------------------------------------------------------------------------- factories


def cme_routes(
    router: CmeRouter,
    *,
    realm: str = DEFAULT_REALM,
    faults: CmeFaults | None = None,
    sip: SipConfig | None = None,
    max_body: int = MAX_BODY_BYTES,
) -> list[BaseRoute]:
    """The emulator's routes (``POST /ios_xml_app/cme``), for mounting in a bigger app.

    ``faults`` is the :class:`CmeFaults` the routes obey (a fresh, inactive one if None);
    keep a reference to it to inject faults later.
    """
    endpoint = _CmeEndpoint(
        CmeService(router, sip if sip is not None else SipConfig()),
        realm=realm,
        faults=faults if faults is not None else CmeFaults(),
        max_body=max_body,
    )
    return [Route(CME_PATH, endpoint.handle, methods=["POST"], name="cme")]


def create_cme_app(
    router: CmeRouter,
    *,
    realm: str = DEFAULT_REALM,
    faults: CmeFaults | None = None,
    sip: SipConfig | None = None,
    max_body: int = MAX_BODY_BYTES,
) -> Starlette:
    """A Starlette app serving the CME XML API emulator of ``router``.

    ``app.state.faults`` is the app's :class:`CmeFaults` (``faults`` when given),
    ``app.state.router`` the router and ``app.state.sip`` the :class:`SipConfig`.
    """
    faults = faults if faults is not None else CmeFaults()
    sip = sip if sip is not None else SipConfig()
    app = Starlette(
        routes=cme_routes(router, realm=realm, faults=faults, sip=sip, max_body=max_body)
    )
    app.state.faults = faults
    app.state.router = router
    app.state.sip = sip
    return app
