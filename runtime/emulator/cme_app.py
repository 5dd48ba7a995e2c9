"""The CME XML API emulator: ``POST /ios_xml_app/cme`` over a :class:`CmeRouter`.

A request goes: fault injection (:class:`CmeFaults`) -> HTTP Basic authentication
(``router.check_credentials``) -> body read with a size cap (413) -> the project's
hardened reader, the schema and the binding (400 with a one-line reason) -> the router
(:class:`CmeService`) -> the response model, serialized by :func:`ucxml._documents.serialize`
in the emulator's release (the 2008 envelope or the bare 12.x form) and answered as
``200 text/xml``.  Every answer the service builds is valid against the corrected CME schema.

The service answers all 22 methods from the router: SCCP phones and extensions, and the
entities of the 12.x methods (SIP phones and extensions, hunt groups, templates, user
profiles, the local directory), which also answer the SIP selectors of ``ISgetDevice`` /
``ISgetExtension``.  Only what the router does not model comes from a fixed
:class:`SipConfig`: ``voice register global``, the session servers and presence.
"""

from __future__ import annotations

import base64
import binascii
import re
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from enum import Enum
from typing import Final, TypeVar

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route

from ucxml._documents import decode, read_message, serialize
from ucxml._registry import binding, lxml_schema
from ucxml._releases import get_release
from ucxml.emulator._standalone import standalone_app
from ucxml.emulator.bodies import read_body
from ucxml.emulator.cme_state import (
    DN_UP,
    REGISTERED,
    CmeRouter,
    Ephone,
    EphoneDn,
    EphoneDnTemplate,
    EphoneTemplate,
    HoldAlert,
    ProfileNumber,
    UserProfile,
    VoiceRegisterDn,
    VoiceRegisterPool,
)
from ucxml.emulator.faults import Faults, FaultStyle, answer_with_faults
from ucxml.errors import BindingError, XmlError
from ucxml.generated.cme import models as m

__all__ = [
    "CME_PATH",
    "DEFAULT_REALM",
    "DEFAULT_RELEASE",
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
DEFAULT_RELEASE: Final = "2008"
"""The release the emulator answers as by default: the 2008 guide's envelope."""

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


_AVAILABLE: Final = "available"
_ALL: Final = "all"
_AUX_KEEPALIVE: Final = 30
"""``keepalive ... auxiliary``'s default, in seconds (the router does not model it)."""
_UNSET_ADDRESS: Final = m.UnsetAddress.UNSET
_NOT_LOGGED_IN: Final = m.CurrentPhone(
    current_phone_type=m.KnownPhoneType.UNKNOWN, current_phone_id=0
)
_SOFTKEY_STATES: Final = (
    "alerting",
    "connected",
    "hold",
    "idle",
    "remote-in-use",
    "ringing",
    "seized",
)
_OVERLAY_LINES: Final = ("overlay", "cw-overlay")

_E = TypeVar("_E", bound=Enum)
_R = TypeVar("_R")
_T = TypeVar("_T", Ephone, EphoneDn)


def _text(value: str | Enum) -> str:
    """A selector as the router reads it: an enum keyword's value, or the string."""
    return str(value.value) if isinstance(value, Enum) else value


def _known(kind: type[_E], value: str) -> _E | str:
    """``value`` as a member of an open enumeration when it is a known one, else the text."""
    try:
        return kind(value)
    except ValueError:
        return value


def _device_type(kind: str | None) -> str | None:
    """``ISDevType`` text: ``IP Phone 7960`` for phone models, else the type as configured."""
    if kind is None:
        return None
    return f"IP Phone {kind}" if kind[:1].isdigit() else kind


def _device_name(mac: str | None) -> str | None:
    """A dotted ``xxxx.xxxx.xxxx`` MAC as the 2008 guide prints a SIP phone: ``SEP`` + hex."""
    return None if mac is None else "SEP" + mac.replace(".", "").upper()


def _free_tag(taken: Iterable[int]) -> int:
    """The lowest tag not in ``taken`` (what the ``available`` keyword answers)."""
    used = set(taken)
    return next(tag for tag in range(1, len(used) + 2) if tag not in used)


def _by_tag(records: dict[int, _R], free: int | None, empty: Callable[[int], _R]) -> list[_R]:
    """``records`` in tag order, with ``empty(free)`` at the free tag ``available`` asked."""
    if free is not None:
        records[free] = empty(free)
    return [records[tag] for tag in sorted(records)]


def _tags_only(asked: Sequence[str], full: Sequence[_T], every: Callable[[], list[_T]]) -> list[_T]:
    """For ``allTag``: the records of ``every()`` not already answered in ``full``."""
    if _ALL_TAG not in asked:
        return []
    detailed = {record.tag for record in full}
    return [record for record in every() if record.tag not in detailed]


def _pool_address(pool: VoiceRegisterPool, *, unset: bool) -> str | m.UnsetAddress:
    """A pool's address; ``0`` (12.x's spelling) for a phone that never registered."""
    never = pool.address == _NO_ADDRESS and pool.status != REGISTERED
    return _UNSET_ADDRESS if unset and never else pool.address


def _pool_lines(pool: VoiceRegisterPool) -> m.PhoneLineList:
    return m.PhoneLineList(
        ext_map_status=[
            m.ExtMapStatus(
                line_id=line.line,
                ext_id=line.dn_tag,
                ext_number=line.number or "",
                line_state=m.LineState.IDLE,
            )
            for line in pool.lines
        ]
    )


def _call_forward(
    every: str | None, busy: str | None, noan: str | None, timeout: int | None
) -> m.CallForward | None:
    """The ``call-forward`` element of what is configured, None when nothing is."""
    if every is None and busy is None and noan is None:
        return None
    return m.CallForward(
        all=m.CallForwardNumber(number=every) if every is not None else None,
        busy=m.CallForwardBusy(number=busy) if busy is not None else None,
        noan=m.CallForwardNoAnswer(number=noan, timeout=timeout) if noan is not None else None,
    )


def _hold_alert(alert: HoldAlert | None) -> m.HoldAlert | None:
    if alert is None:
        return None
    return m.HoldAlert(
        timeout=alert.timeout,
        mode=_known(m.HoldAlertModeSetting, alert.mode),
        ring_silent_dn=alert.ring_silent_dn,
    )


def _adhoc_conference(template: EphoneTemplate | None) -> m.AdhocConference:
    add = template.conference_add_mode if template is not None else None
    drop = template.conference_drop_mode if template is not None else None
    return m.AdhocConference(
        add_mode=m.ConferenceAddMode(creator=add == "creator"),
        admin=template is not None and template.conference_admin,
        drop_mode=m.ConferenceDropMode(creator=drop == "creator", local=drop == "local"),
    )


def _keep_conference(template: EphoneTemplate | None) -> m.KeepConference:
    """``keep-conference``: hangup whenever configured, and each option given."""
    options = template.keep_conference if template is not None else None
    kept = options or ()
    return m.KeepConference(
        hangup=options is not None,
        drop_last="drop-last" in kept,
        endcall="endcall" in kept,
        local_only="local-only" in kept,
    )


def _blocked(value: bool) -> m.BlockedSetting:
    return m.BlockedSetting(blocked=value)


def _softkeys(template: EphoneTemplate) -> m.Softkeys:
    """Every call state's keys, space separated; empty for a state left at its default."""
    keys = {state: " ".join(names) for state, names in template.softkeys}
    alerting, connected, hold, idle, remote, ringing, seized = (
        keys.get(state, "") for state in _SOFTKEY_STATES
    )
    return m.Softkeys(
        alerting_keys=alerting,
        connected_keys=connected,
        hold_keys=hold,
        idle_keys=idle,
        remote_in_use_keys=remote,
        ringing_keys=ringing,
        seized_keys=seized,
    )


def _yes_no(value: bool) -> m.YesNo:
    return m.YesNo.YES if value else m.YesNo.NO


def _line_mode(kind: str | None) -> m.KnownExtMode | str:
    """``ISExtMode`` of a user-profile number: NORMAL, or its type (``beep-ring`` -> BEEP_RING)."""
    return m.KnownExtMode.NORMAL if kind is None else kind.upper().replace("-", "_")


def _user_numbers(lines: Sequence[ProfileNumber]) -> m.UserNumbers:
    """Each number of each line; an overlay line's numbers share an overlay group (1, 2...)."""
    numbers: list[m.UserNumber] = []
    group = 0
    for line in lines:
        overlay = line.type in _OVERLAY_LINES
        if overlay:
            group += 1
        numbers.extend(
            m.UserNumber(
                ext_number=number,
                ext_mode=_line_mode(line.type),
                ext_overlay_group=group if overlay else 0,
                ext_combo=m.YesNo.NO,
            )
            for number in line.numbers
        )
    return m.UserNumbers(user_number=numbers)


@dataclass(slots=True)
class CmeService:
    """Answers decoded CME requests from a :class:`CmeRouter` (no HTTP involved).

    :meth:`answer` takes a request model of :mod:`ucxml.generated.cme.models` and returns
    the matching response model.  ``release`` is the router release answered as: ``"2008"``
    records carry what the 2008 guide shows, ``"12.x"`` ``ISgetDevice`` / ``ISgetExtension``
    records also carry the 12.x elements the router knows (the configured type, templates,
    conference and call-forward settings...).  The seven 12.x methods answer the same in
    both (the HTTP layer writes the dialect).

    Selectors combine as a union and unknown tags select nothing.  The tag-only queries
    (hunt groups, templates, user profiles) answer every record when no tag is given; the
    SIP queries, like ``ISgetDevice``, answer only what a tag or keyword selects.

    Raises:
        ParameterError: ``release`` is not a CME release.
    """

    router: CmeRouter
    sip: SipConfig = field(default_factory=SipConfig)
    #: The release answered as: ``"12.x"`` records carry the richer IOS XE elements.
    release: str = DEFAULT_RELEASE

    def __post_init__(self) -> None:
        get_release("cme", self.release)

    @property
    def _rich(self) -> bool:
        """Whether records carry the 12.x elements."""
        return self.release != DEFAULT_RELEASE

    def answer(self, request: m.ISRequest) -> m.ISResponse:
        """The response model for ``request``.

        Raises:
            TypeError: ``request`` is not one of the 22 CME request types.
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
            case m.ISgetSipDevice():
                return self._get_sip_device(request.get_sip_device)
            case m.ISgetSipExtension():
                return self._get_sip_extension(request.get_sip_extension)
            case m.ISgetVoiceHuntGroup():
                return self._get_voice_hunt_group(request.get_voice_hunt_group)
            case m.ISgetDeviceTemplate():
                return self._get_device_template(request.get_device_template)
            case m.ISgetExtensionTemplate():
                return self._get_extension_template(request.get_extension_template)
            case m.ISgetUserProfile():
                return self._get_user_profile(request.get_user_profile)
            case m.ISgetUtilityDirectory():
                return self._get_utility_directory()
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

    # ------------------------------------------------------------------ selection

    def _chosen_pools(
        self, ids: Sequence[int], keywords: Sequence[str | Enum]
    ) -> tuple[list[VoiceRegisterPool], int | None]:
        """Pools selected by tag or ``all``, and the free tag when ``available`` is asked."""
        words = {_text(word) for word in keywords}
        pools = self.router.pools()
        wanted = set(ids)
        chosen = [p for p in pools if _ALL in words or p.tag in wanted]
        free = _free_tag(p.tag for p in pools) if _AVAILABLE in words else None
        return chosen, free

    def _chosen_register_dns(
        self, ids: Sequence[int], selectors: Sequence[str | Enum]
    ) -> tuple[list[VoiceRegisterDn], int | None]:
        """Voice register dns by tag, number or ``all``, and the free tag for ``available``."""
        words = {_text(word).strip() for word in selectors}
        dns = self.router.register_dns()
        wanted = set(ids)
        chosen = [
            dn
            for dn in dns
            if _ALL in words or dn.tag in wanted or (dn.number is not None and dn.number in words)
        ]
        free = _free_tag(dn.tag for dn in dns) if _AVAILABLE in words else None
        return chosen, free

    # ------------------------------------------------------------------ devices

    def _get_device(self, params: m.ISgetDeviceParams) -> m.ISgetDeviceResponse:
        names = [_text(name) for name in params.dev_name]
        full = self.router.devices(params.dev_id, [n for n in names if n != _ALL_TAG])
        tags_only = _tags_only(names, full, lambda: self.router.devices(names=[_ALL_TAG]))
        dns = {dn.tag: dn for dn in self.router.extensions(numbers=["all"])}
        rich = self._rich and bool(full)
        templates = {t.tag: t for t in self.router.device_templates()} if rich else {}
        keepalive = self.router.global_info().keepalive_interval if rich else 0
        devices: list[tuple[int, m.ISDevice]] = []
        for ephone in full:
            device = self._device(ephone, dns)
            if rich:
                template = templates.get(ephone.template or 0)
                self._enrich_device(device, ephone, template, keepalive)
            devices.append((ephone.tag, device))
        devices += [(e.tag, m.ISDevice(dev_id=e.tag)) for e in tags_only]
        # ISPoolID / ISPoolName select SIP phones (voice register pools), after the ephones.
        pools, free = self._chosen_pools(params.pool_id, params.pool_name)
        sip = {pool.tag: self._pool_device(pool) for pool in pools}
        return m.ISgetDeviceResponse(
            device=[device for _, device in sorted(devices)]
            + _by_tag(sip, free, lambda tag: m.ISDevice(pool_id=tag))
        )

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

    @staticmethod
    def _enrich_device(
        device: m.ISDevice, ephone: Ephone, template: EphoneTemplate | None, keepalive: int
    ) -> None:
        """Add the 12.x elements of an ephone: its configured type and the settings of its
        ephone-template (the defaults without one).  The ``username`` password stays out."""
        device.config_dev_type = ephone.type
        device.adhoc_conference = _adhoc_conference(template)
        device.keep_conference = _keep_conference(template)
        device.keyphone = ephone.keyphone
        device.privacy_button = template is not None and template.privacy_button
        device.transfer_park = _blocked(template is not None and template.transfer_park_blocked)
        device.transfer_pattern = _blocked(
            template is not None and template.transfer_pattern_blocked
        )
        device.keepalive = m.KeepaliveSetting(timeout=keepalive, aux_timeout=_AUX_KEEPALIVE)
        if ephone.type is not None:
            device.phone_type = m.PhoneTypeSetting(name=ephone.type)
        device.ephone_template = ephone.template or 0
        device.logout_profile = 0
        if template is not None and template.mwi_line is not None:
            device.mwi_line = template.mwi_line
        device.username = ephone.username
        device.logout_profile_id = 0
        device.user_profile_id = 0

    def _pool_device(self, pool: VoiceRegisterPool) -> m.ISDevice:
        """A SIP phone as ``ISgetDevice`` answers it (the 2008 guide's SIP record)."""
        rich = self._rich
        return m.ISDevice(
            pool_id=pool.tag,
            dev_mac=pool.mac if rich else _device_name(pool.mac),
            dev_session_server=pool.session_server,
            description=pool.description if rich else None,
            dev_addr=m.Address(xipv4_address=_pool_address(pool, unset=rich)),
            phone_line_list=_pool_lines(pool),
            pool_max_registration=pool.max_registrations,
            pool_dtmf_relay=" ".join(pool.dtmf_relay) or None,
            dev_codec=pool.codec,
        )

    def _get_sip_device(self, params: m.ISgetSipDeviceParams) -> m.ISgetSipDeviceResponse:
        pools, free = self._chosen_pools(params.pool_id, params.pool_name)
        chosen = {
            pool.tag: m.ISSipDevice(
                pool_id=pool.tag,
                dev_mac=pool.mac,
                session_server_id=pool.session_server or 0,
                dev_addr=m.Address(xipv4_address=_pool_address(pool, unset=True)),
                sip_phone_line_list=_pool_lines(pool),
                pool_max_registration=pool.max_registrations,
                pool_dtmf_relay=" ".join(pool.dtmf_relay) or None,
                dev_codec=pool.codec,
            )
            for pool in pools
        }
        return m.ISgetSipDeviceResponse(
            sip_device=_by_tag(chosen, free, lambda tag: m.ISSipDevice(pool_id=tag))
        )

    # ------------------------------------------------------------------ extensions

    def _get_extension(self, params: m.ISgetExtensionParams) -> m.ISgetExtensionResponse:
        numbers = [_text(number) for number in params.ext_number]
        full = self.router.extensions(params.ext_id, [n for n in numbers if n != _ALL_TAG])
        tags_only = _tags_only(numbers, full, lambda: self.router.extensions(numbers=[_ALL_TAG]))
        templates = {t.tag: t for t in self.router.extension_templates()} if self._rich else {}
        extensions = [(dn.tag, self._extension(dn, templates)) for dn in full]
        extensions += [(dn.tag, m.ISExtension(ext_id=dn.tag)) for dn in tags_only]
        # ISVoiceRegDNID / ISVoiceRegNumber / ISVoiceRegDNName select SIP dns, after the
        # ephone-dns; number and name both take a number or a keyword (ERRATA D03).
        selectors = [*params.voice_reg_number, *params.voice_reg_dnname]
        dns, free = self._chosen_register_dns(params.voice_reg_dnid, selectors)
        sip = {dn.tag: self._register_dn_extension(dn) for dn in dns}
        return m.ISgetExtensionResponse(
            extension=[ext for _, ext in sorted(extensions)]
            + _by_tag(sip, free, lambda tag: m.ISExtension(voice_reg_dnid=tag))
        )

    def _extension(self, dn: EphoneDn, templates: dict[int, EphoneDnTemplate]) -> m.ISExtension:
        phones = self.router.phones_for_dn(dn.tag)
        up = dn.status == DN_UP
        extension = m.ISExtension(
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
        if self._rich:
            self._enrich_extension(extension, dn, templates.get(dn.template or 0))
        return extension

    @staticmethod
    def _enrich_extension(
        extension: m.ISExtension, dn: EphoneDn, template: EphoneDnTemplate | None
    ) -> None:
        """Add the 12.x elements of an ephone-dn: its settings, those of its template where
        the dn sets none (the dn's own win, as on IOS), its name and template tag."""
        every = dn.call_forward_all
        busy = noan = timeout = description = pickup = None
        alert: HoldAlert | None = None
        watch = False
        if template is not None:
            every = every if every is not None else template.call_forward_all
            busy, noan = template.call_forward_busy, template.call_forward_noan
            timeout, alert = template.call_forward_noan_timeout, template.hold_alert
            description, pickup = template.description, template.pickup_group
            watch = template.allow_watch
        extension.allow_watch = watch
        extension.call_forward_all = every
        extension.allow = m.AllowWatch(watch=watch)
        extension.call_forward = _call_forward(every, busy, noan, timeout)
        extension.description = description
        extension.hold_alert = _hold_alert(alert)
        extension.pickup_group = pickup
        extension.ephone_dn_template = dn.template or 0
        name = " ".join(part for part in (dn.first_name, dn.last_name) if part)
        extension.name = name or None
        if dn.number is not None:
            extension.telephony_number = m.TelephonyNumber(
                primary=dn.number, secondary=dn.secondary_number
            )

    def _register_dn_extension(self, dn: VoiceRegisterDn) -> m.ISExtension:
        """A SIP extension as ``ISgetExtension`` answers it (the 2008 guide's SIP record;
        12.x lists every session server and adds the label and call forward)."""
        extension = m.ISExtension(
            voice_reg_dnid=dn.tag,
            ext_number=dn.number,
            allow_watch=dn.allow_watch,
            first_name=dn.first_name,
            last_name=dn.last_name,
            dev_list=m.ISDevList(pool_id=list(dn.pools)),
        )
        if not self._rich:
            extension.dev_session_server = dn.session_servers[0] if dn.session_servers else None
            return extension
        if dn.session_servers:
            extension.session_server_ids = m.SessionServerIDs(
                session_server_id=list(dn.session_servers)
            )
        extension.call_forward_all = dn.call_forward_all
        extension.call_forward = _call_forward(dn.call_forward_all, None, None, None)
        extension.label = dn.label
        return extension

    def _get_sip_extension(self, params: m.ISgetSipExtensionParams) -> m.ISgetSipExtensionResponse:
        dns, free = self._chosen_register_dns(params.voice_reg_dnid, params.voice_reg_number)
        chosen = {
            dn.tag: m.ISSipExtension(
                voice_reg_dnid=dn.tag,
                ext_number=dn.number,
                session_server_ids=(
                    m.SessionServerIDs(session_server_id=list(dn.session_servers))
                    if dn.session_servers
                    else None
                ),
                allow_watch=dn.allow_watch,
                first_name=dn.first_name,
                last_name=dn.last_name,
                sip_dev_list=m.SipDevList(pool_id=list(dn.pools)),
            )
            for dn in dns
        }
        return m.ISgetSipExtensionResponse(
            sip_extension=_by_tag(chosen, free, lambda tag: m.ISSipExtension(voice_reg_dnid=tag))
        )

    # ------------------------------------------------------------------ 12.x entities

    def _get_voice_hunt_group(
        self, params: m.ISgetVoiceHuntGroupParams
    ) -> m.ISgetVoiceHuntGroupResponse:
        groups = self.router.hunt_groups(params.voice_hunt_group_id)
        return m.ISgetVoiceHuntGroupResponse(
            voice_hunt_group=[
                m.ISVoiceHuntGroup(
                    voice_hunt_group_id=group.tag,
                    voice_hunt_group_type=m.VoiceHuntGroupType(group.type),
                    voice_hunt_group_pilot_number=group.pilot or "",
                    voice_hunt_group_pilot_peer_tag=group.pilot_peer_tag,
                    voice_hunt_group_pilot_preference=0,
                    voice_hunt_group_sec_pilot_number=group.secondary_pilot or "",
                    voice_hunt_group_sec_pilot_peer_tag=group.secondary_peer_tag,
                    voice_hunt_group_sec_pilot_preference=0,
                    voice_hunt_group_list_size=group.list_size,
                    voice_hunt_group_list_nums=m.VoiceHuntGroupListNums(
                        voice_hunt_group_list_num=list(group.numbers)
                    ),
                    voice_hunt_group_final_num=group.final or "",
                    voice_hunt_group_timeout=group.timeout,
                    voice_hunt_group_hops=group.hops if group.hops is not None else group.list_size,
                )
                for group in groups
            ]
        )

    def _get_device_template(
        self, params: m.ISgetDeviceTemplateParams
    ) -> m.ISgetDeviceTemplateResponse:
        templates = self.router.device_templates(params.dev_template_id)
        return m.ISgetDeviceTemplateResponse(
            device_template=[self._device_template(template) for template in templates]
        )

    @staticmethod
    def _device_template(template: EphoneTemplate) -> m.ISDeviceTemplate:
        layout = [
            m.ButtonLayoutItem(
                button_layout=item.buttons, button_type=_known(m.KnownButtonType, item.type)
            )
            for item in template.button_layout
        ]
        return m.ISDeviceTemplate(
            dev_template_id=template.tag,
            button_layout_list=m.ButtonLayoutList(button_layout_item=layout) if layout else None,
            adhoc_conference=_adhoc_conference(template),
            keep_conference=_keep_conference(template),
            privacy_button=template.privacy_button,
            softkeys=_softkeys(template),
            transfer_park=_blocked(template.transfer_park_blocked),
            transfer_pattern=_blocked(template.transfer_pattern_blocked),
        )

    def _get_extension_template(
        self, params: m.ISgetExtensionTemplateParams
    ) -> m.ISgetExtensionTemplateResponse:
        templates = self.router.extension_templates(params.extension_template_id)
        return m.ISgetExtensionTemplateResponse(
            extension_template=[
                m.ISExtensionTemplate(
                    ext_template_id=template.tag,
                    allow=m.AllowWatch(watch=template.allow_watch),
                    call_forward=_call_forward(
                        template.call_forward_all,
                        template.call_forward_busy,
                        template.call_forward_noan,
                        template.call_forward_noan_timeout,
                    ),
                    description=template.description,
                    hold_alert=_hold_alert(template.hold_alert),
                    pickup_group=template.pickup_group,
                )
                for template in templates
            ]
        )

    def _get_user_profile(self, params: m.ISgetUserProfileParams) -> m.ISgetUserProfileResponse:
        profiles = self.router.user_profiles(params.user_profile_id)
        return m.ISgetUserProfileResponse(
            user_profile=[self._user_profile(profile) for profile in profiles]
        )

    @staticmethod
    def _user_profile(profile: UserProfile) -> m.ISUserProfile:
        """A profile as the router prints it, its password included (the model's repr masks
        it); nobody is logged in (the router does not model Extension Mobility logins)."""
        return m.ISUserProfile(
            user_profile_id=profile.tag,
            user_id=profile.user_id or "",
            password=profile.password,
            user_pin=profile.pin or "",
            privacy_button=_yes_no(profile.privacy_button),
            user_max_idle_time=profile.max_idle_time or 0,
            speed_dials=m.SpeedDials(
                speed_dial=[
                    m.SpeedDial(
                        speed_dial_index=dial.index,
                        speed_dial_number=dial.number,
                        speed_dial_label=dial.label or "",
                        speed_dial_blf=_yes_no(dial.blf),
                    )
                    for dial in profile.speed_dials
                ]
            ),
            user_numbers=_user_numbers(profile.numbers),
            user_current_phone=_NOT_LOGGED_IN,
        )

    def _get_utility_directory(self) -> m.ISgetUtilityDirectoryResponse:
        return m.ISgetUtilityDirectoryResponse(
            directory_entry=[
                m.ISDirectoryEntry(
                    directory_tag=entry.tag,
                    directory_number=entry.number,
                    first_name=entry.first_name,
                    last_name=entry.last_name or "",
                )
                for entry in self.router.directory_entries()
            ]
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
            auth_mode=[sip.auth_mode],
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
                free = _free_tag(servers)
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
        release: str = DEFAULT_RELEASE,
    ) -> None:
        self.service = service
        self.faults = faults
        self.max_body = max_body
        get_release("cme", release)  # an unknown name raises ParameterError
        # The 2008 form is the shared models' own: written with no dialect.
        self.release = None if release == DEFAULT_RELEASE else release
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
        answer = serialize(self.service.answer(model), release=self.release)
        return Response(answer, media_type=_XML_MEDIA_TYPE)

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
    release: str = DEFAULT_RELEASE,
) -> list[BaseRoute]:
    """The emulator's routes (``POST /ios_xml_app/cme``), for mounting in a bigger app.

    ``faults`` is the :class:`CmeFaults` the routes obey (a fresh, inactive one if None);
    keep a reference to it to inject faults later. ``release`` is the dialect answers are
    written in: ``"2008"`` (the guide's envelope) or ``"12.x"`` (bare, plural containers,
    the richer records of IOS XE); requests of either are read.
    """
    endpoint = _CmeEndpoint(
        CmeService(router, sip if sip is not None else SipConfig(), release=release),
        realm=realm,
        faults=faults if faults is not None else CmeFaults(),
        max_body=max_body,
        release=release,
    )
    return [Route(CME_PATH, endpoint.handle, methods=["POST"], name="cme")]


def create_cme_app(
    router: CmeRouter,
    *,
    realm: str = DEFAULT_REALM,
    faults: CmeFaults | None = None,
    sip: SipConfig | None = None,
    max_body: int = MAX_BODY_BYTES,
    release: str = DEFAULT_RELEASE,
) -> Starlette:
    """A Starlette app serving the CME XML API emulator of ``router`` (``release``: see
    :func:`cme_routes`).

    ``app.state.faults`` is the app's :class:`CmeFaults` (``faults`` when given),
    ``app.state.router`` the router and ``app.state.sip`` the :class:`SipConfig`.
    """
    faults = faults if faults is not None else CmeFaults()
    sip = sip if sip is not None else SipConfig()
    routes = cme_routes(
        router, realm=realm, faults=faults, sip=sip, max_body=max_body, release=release
    )
    return standalone_app(routes, faults, router=router, sip=sip)
