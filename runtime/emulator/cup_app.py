"""The Cisco Unified Presence EPAS emulator: the SOAP service URL over an :class:`EpasService`.

Served paths: ``/EPASSoap/service`` (:data:`CUP_PATH`, release 6.0) and the versioned paths
of later releases, ``/EPASSoap/service/v70``, ``/v80`` and ``/latest`` (:data:`CUP_PATHS`,
``ucxml.cup.RELEASES``), all alike.

The action may come as the SOAP 1.2 ``Content-Type`` parameter
(``action="urn:cisco:epas:soap/login"``) or as a ``SOAPAction`` header
(``urn:cisco:epas:soap/EpasSoapServiceInterface/login``, as real clients send it); neither is
required, but an action naming another EPAS operation than the body's is answered
``env:Sender`` "Invalid request.". Header blocks other than ``session-key`` are ignored
unless ``mustUnderstand``; a ``mustUnderstand`` block the service does not understand is
answered with an ``env:MustUnderstand`` fault (HTTP 500) whose header names it in an
``env:NotUnderstood`` block (SOAP 1.2 part 1, 5.2.3 and 5.4.8).

- ``POST``: one SOAP 1.2 request (SOAP 1.1 is read too, as the reader allows), answered
  ``application/soap+xml; charset=utf-8``.  A post goes: fault injection
  (:class:`CupFaults`) -> body read with a size cap (413) -> the project's hardened reader
  (:func:`ucxml._documents.read_message`), the corrected EPAS schema
  (:func:`ucxml._validation.validate_bytes`) and the binding (:func:`ucxml._documents.decode`,
  :func:`ucxml._documents.decode_header` for the ``session-key``) -> the service -> the answer
  model, serialized by :func:`ucxml._documents.serialize`.
- ``GET ?wsdl`` (or ``?wsdl=wsdl``, as the guide writes it): the WSDL shipped with the
  package; ``GET ?xsd=NAME`` one of the schema files it imports (``epas-soap.xsd``...).

Errors are SOAP 1.2 faults built from the generated ``Fault`` model: a post that is
malformed, invalid, a DOCTYPE, too deep, not a request, or whose body is not a request
answers ``env:Sender`` "Invalid request." (:data:`INVALID_REQUEST_REASON`, Example 9) with
HTTP 400; a request without a live session key (every request but ``login`` needs one)
answers ``env:Sender`` :data:`SESSION_EXPIRED_REASON` with HTTP 400; an internal error
answers ``env:Receiver`` (HTTP 500); :attr:`CupFaults.database_down` answers Example 10's
``env:Receiver`` "Could not connect to database.".  Login refusals are not faults: they
answer ``login-resp/failure/reason`` with the guide's texts.
"""

from __future__ import annotations

import dataclasses
import logging
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Final, TypeAlias, TypeVar
from xml.etree.ElementTree import QName

from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response
from starlette.routing import BaseRoute, Route
from xsdata.formats.dataclass.models.generics import AnyElement, DerivedElement
from xsdata.models.datatype import XmlDate, XmlDateTime

from ucxml import errors
from ucxml._documents import Message, decode_header, decode_reporting, read_message, serialize
from ucxml._envelopes import not_understood
from ucxml._registry import binding
from ucxml._validation import validate_bytes
from ucxml.cup import RELEASES, action_operation
from ucxml.emulator._standalone import standalone_app
from ucxml.emulator.bodies import read_body
from ucxml.emulator.cup_state import (
    FAILED,
    SUCCEEDED,
    AclResult,
    AllConfig,
    ConfigPart,
    ContactGroup,
    ContactSpec,
    CupFailure,
    DialingRule,
    EpasService,
    GroupChange,
    GroupSpec,
    InvalidSession,
    ItemStatus,
    Licensing,
    PresenceRule,
    Property,
    SystemProperty,
)
from ucxml.emulator.faults import Faults, FaultStyle, answer_with_faults
from ucxml.errors import UcxmlError
from ucxml.generated.cup import models as m

__all__ = [
    "CUP_PATH",
    "CUP_PATHS",
    "DATABASE_DOWN_REASON",
    "EPAS_NS",
    "INTERNAL_ERROR_REASON",
    "INVALID_REQUEST_REASON",
    "MAX_BODY_BYTES",
    "MUST_UNDERSTAND_REASON",
    "SESSION_EXPIRED_REASON",
    "SOAP_MEDIA_TYPE",
    "CupAnswer",
    "CupFaults",
    "SoapFault",
    "create_cup_app",
    "cup_answer",
    "cup_routes",
    "soap_fault",
]

CUP_PATH: Final = "/EPASSoap/service"
"""The EPAS SOAP service (login and every other request; ``?wsdl`` for the WSDL)."""
CUP_PATHS: Final = tuple(RELEASES.values())
"""Every served path: the 6.0(1) one first, then ``/v70``, ``/v80`` and ``/latest``."""
EPAS_NS: Final = "urn:cisco:epas:soap"
"""Namespace of the EPAS messages and header blocks."""
MUST_UNDERSTAND_REASON: Final = "One or more mandatory SOAP header blocks not understood."
"""Reason of the ``env:MustUnderstand`` fault answering a ``mustUnderstand`` block the
service does not understand."""
SOAP_MEDIA_TYPE: Final = "application/soap+xml; charset=utf-8"
"""Content type of every SOAP answer (SOAP 1.2)."""
MAX_BODY_BYTES: Final = 1024 * 1024
"""Largest request body accepted; larger ones are answered 413."""
INVALID_REQUEST_REASON: Final = "Invalid request."
"""Reason of the ``env:Sender`` fault answering a malformed or invalid request (Example 9)."""
SESSION_EXPIRED_REASON: Final = "Session expired or invalid session key."
"""Reason of the ``env:Sender`` fault answering a request without a live session key
(unknown, logged out, expired or missing); the client maps this exact text."""
INTERNAL_ERROR_REASON: Final = "Internal server error."
"""Reason of the ``env:Receiver`` fault answering an error of the emulator itself."""
DATABASE_DOWN_REASON: Final = "Could not connect to database."
"""Reason of the ``env:Receiver`` fault of :attr:`CupFaults.database_down` (Example 10)."""

CupAnswer: TypeAlias = Any
"""Any answer model of the EPAS service (a ``*Resp`` element or the SOAP ``Fault``)."""

_log = logging.getLogger(__name__)
_T = TypeVar("_T")
_A = TypeVar("_A")
_XML_MEDIA_TYPE: Final = "text/xml; charset=utf-8"
_WSDL_FILE: Final = "epas.wsdl"
_GARBAGE: Final = (
    b'<?xml version="1.0" encoding="UTF-8"?>\n'
    b'<env:Envelope xmlns:env="http://www.w3.org/2003/05/soap-envelope"><env:Body><epas:log'
)
_HTML_PAGE: Final = (
    "<html><head><title>Apache Tomcat/5.5 - Error report</title></head><body>"
    "<h1>HTTP Status 500 - </h1></body></html>\n"
)


# --------------------------------------------------------------------------- configuration


@dataclass
class CupFaults(Faults):
    """Faults injected into every EPAS answer while set (see :class:`Faults`).

    Attributes:
        database_down: Answer every post with Example 10's ``env:Receiver`` fault "Could not
            connect to database." (HTTP 500), as a server that lost its database does.
        expire_sessions: Expire every session before answering (``EpasService.expire_all``),
            so a request with a session key gets the session fault; a login still works.
    """

    database_down: bool = False
    expire_sessions: bool = False


# --------------------------------------------------------------------------- faults


class SoapFault(errors.SoapFault):
    """A request the emulator answers with a SOAP 1.2 fault: ``env:Sender`` (400),
    ``env:Receiver`` (500) or ``env:MustUnderstand`` (500).

    The :class:`ucxml.SoapFault` a client would raise on reading that answer, with what
    the emulator needs to write it.

    Attributes:
        reason: The fault's reason text.
        sender: True for ``env:Sender``, False for ``env:Receiver``.
    """

    def __init__(
        self, reason: str, *, sender: bool = True, not_understood: Sequence[str] = ()
    ) -> None:
        #: ``{namespace}name`` of each mustUnderstand block not understood: when not empty,
        #: the fault is ``env:MustUnderstand`` and names them in ``env:NotUnderstood`` blocks.
        self.not_understood = tuple(not_understood)
        self.sender = sender
        code = "MustUnderstand" if self.not_understood else "Sender" if sender else "Receiver"
        super().__init__(code, reason)

    @property
    def status_code(self) -> int:
        """The HTTP status: 400 for env:Sender, 500 otherwise (the SOAP 1.2 HTTP binding)."""
        return 400 if self.sender and not self.not_understood else 500


def soap_fault(reason: str, *, sender: bool = True, must_understand: bool = False) -> m.Fault:
    """The SOAP 1.2 ``env:Fault`` model: ``env:Sender`` (or ``env:Receiver``, or
    ``env:MustUnderstand`` when ``must_understand``) and ``reason``."""
    value = m.FaultCodeValue.ENV_SENDER if sender else m.FaultCodeValue.ENV_RECEIVER
    if must_understand:
        value = m.FaultCodeValue.ENV_MUST_UNDERSTAND
    return m.Fault(
        code=m.FaultCode(value=value),
        reason=m.FaultReason(text=[m.ReasonText(value=reason, lang="en")]),
    )


# --------------------------------------------------------------------------- conversions


def _outcome(status: str) -> m.OutcomeCode | str:
    if status == SUCCEEDED:
        return m.OutcomeCode.SUCCEEDED
    if status == FAILED:
        return m.OutcomeCode.FAILED
    return status


def _visibility(value: str | None) -> m.Visibility | None:
    try:
        return None if value is None else m.Visibility(value)
    except ValueError:
        return None


def _timestamp(text: str) -> XmlDate | XmlDateTime:
    try:
        return XmlDateTime.from_string(text) if "T" in text else XmlDate.from_string(text)
    except ValueError:  # not an xs:date: the record keeps the day only
        return XmlDate.from_string(text[:10])


def _data_elements(data: object) -> list[object]:
    """The ``data`` children of a record: stored elements, or a mapping's name -> text."""
    if isinstance(data, Mapping):
        return [AnyElement(qname=str(name), text=str(text)) for name, text in data.items()]
    if isinstance(data, list | tuple):
        return list(data)
    return []


def _system_config(props: Sequence[SystemProperty]) -> m.GetSystemConfigResp:
    return m.GetSystemConfigResp(properties=[m.Property(name=p.name, value=p.value) for p in props])


def _user_config(props: Sequence[Property]) -> m.GetUserConfigResp:
    return m.GetUserConfigResp(
        properties=[m.Property(name=p.name, value=p.value, is_public=p.is_public) for p in props]
    )


def _licensing(features: Licensing) -> m.GetLicensingFeaturesResp:
    return m.GetLicensingFeaturesResp(
        base=features.base, im=features.im, audio=features.audio, video=features.video
    )


def _contact_list(groups: Sequence[ContactGroup]) -> m.GetContactListResp:
    return m.GetContactListResp(
        group=[
            m.Group(
                name=g.name,
                index=g.index,
                persona_id=[
                    m.Contact(
                        value=c.persona_id,
                        index=c.index,
                        nickname=c.nickname,
                        display_on_phone=c.display_on_phone,
                    )
                    for c in g.contacts
                ],
            )
            for g in groups
        ]
    )


def _presence_rules(rules: Sequence[PresenceRule]) -> m.GetPresenceRulesResp:
    return m.GetPresenceRulesResp(
        presence_rule=[
            m.PresenceRule(
                name=r.name,
                rule=m.Rule(
                    visibility=_visibility(r.visibility),
                    reachability=r.reachability
                    if isinstance(r.reachability, m.Reachability)
                    else None,
                    filter=r.filter if isinstance(r.filter, m.Filter) else None,
                ),
            )
            for r in rules
        ]
    )


def _dialing_rules(rules: Sequence[DialingRule]) -> m.GetDialingRulesResp:
    return m.GetDialingRulesResp(
        rule=[
            m.DialingRule(
                type_value=r.type,
                name=r.name,
                description=r.description,
                priority=r.priority,
                number_begins_with=r.number_begins_with,
                number_of_digits=r.number_of_digits,
                digits_to_be_removed=r.digits_to_be_removed,
                prefix=r.prefix,
            )
            for r in rules
        ]
    )


def _rule_acl(result: AclResult) -> m.RuleAcl:
    if result.status != SUCCEEDED:
        return m.RuleAcl(name=result.rule, content=[result.status])
    acl = [DerivedElement(qname=f"{{{EPAS_NS}}}acl", value=uri) for uri in result.watcher_uris]
    return m.RuleAcl(name=result.rule, content=list(acl))


def _contacts(groups: Iterable[m.Group]) -> list[ContactSpec]:
    return [
        ContactSpec(
            group=g.name,
            persona_id=c.value.strip(),
            index=c.index,
            nickname=c.nickname,
            display_on_phone=c.display_on_phone,
        )
        for g in groups
        for c in g.persona_id
    ]


def _contact_statuses(answer: Sequence[ItemStatus[ContactSpec]]) -> list[m.ContactStatus]:
    return [
        m.ContactStatus(
            value=_outcome(a.status),
            persona_id=a.item.persona_id,
            group=a.item.group,
            index=a.item.index,
            nickname=a.item.nickname,
            display_on_phone=a.item.display_on_phone,
        )
        for a in answer
    ]


def _group_statuses(answer: Sequence[ItemStatus[GroupSpec]]) -> list[m.GroupStatus]:
    return [
        m.GroupStatus(value=_outcome(a.status), name=a.item.name, index=a.item.index)
        for a in answer
    ]


def _watcher_statuses(name: str, answer: Sequence[ItemStatus[str]]) -> m.AclRuleStatus:
    return m.AclRuleStatus(
        name=name,
        status=[m.WatcherStatus(value=_outcome(a.status), watcher=a.item) for a in answer],
    )


def _rule_statuses(answer: Sequence[ItemStatus[str]]) -> list[m.RuleStatus]:
    return [m.RuleStatus(value=_outcome(a.status), name=a.item) for a in answer]


# --------------------------------------------------------------------------- operations

_PARTS: Final[tuple[tuple[str, ConfigPart], ...]] = (
    ("system_config", "system-config"),
    ("user_config", "user-config"),
    ("licensing_features", "licensing-features"),
    ("contact_list", "contact-list"),
    ("presence_rules", "presence-rules"),
    ("dialing_rules", "dialing-rules"),
)


def _all_config(config: AllConfig) -> m.GetAllConfigResp:
    return m.GetAllConfigResp(
        get_system_config_resp=_part(_system_config, config.system_config),
        get_user_config_resp=_part(_user_config, config.user_config),
        get_licensing_features_resp=_part(_licensing, config.licensing),
        get_contact_list_resp=_part(_contact_list, config.contact_list),
        get_presence_rules_resp=_part(_presence_rules, config.presence_rules),
        get_dialing_rules_resp=_part(_dialing_rules, config.dialing_rules),
    )


def _part(answer: Callable[[_T], _A], part: _T | None) -> _A | None:
    """The answer of a get-all-config part, None for a part not asked."""
    return None if part is None else answer(part)


# Parts of later releases whose answers are not public (ERRATA D14): asked, not answered.
_NEWER_PARTS: Final = ("federated_domains", "non_presence_aware_contacts", "contact_info")


def _get_all_config(service: EpasService, request: m.GetAllConfig, key: str) -> CupAnswer:
    parts = [part for attr, part in _PARTS if getattr(request, attr) is not None]
    newer = any(getattr(request, attr) is not None for attr in _NEWER_PARTS)
    # An empty get-all-config asks for everything.
    if not parts and not newer:
        parts = [part for _, part in _PARTS]
    return _all_config(service.get_all_config(key, parts))


def _logout(service: EpasService, request: m.Logout, key: str) -> CupAnswer:
    service.logout(key, request.tuple_id)
    return m.LogoutResp(success=m.Empty())


def _set_user_config(service: EpasService, request: m.SetUserConfig, key: str) -> CupAnswer:
    props = [Property(p.name, p.value, bool(p.is_public)) for p in request.properties]
    answer = service.set_user_config(key, props)
    return m.SetUserConfigResp(
        properties=[m.PropertyStatus(name=a.name, status_code=a.status_code) for a in answer]
    )


def _add_group(service: EpasService, request: m.AddGroup, key: str) -> CupAnswer:
    specs = [GroupSpec(g.name, g.index) for g in request.group]
    return m.AddGroupResp(status=_group_statuses(service.add_group(key, specs)))


def _modify_group(service: EpasService, request: m.ModifyGroup, key: str) -> CupAnswer:
    changes = [GroupChange(g.old_name, g.new_name, g.index) for g in request.group]
    return m.ModifyGroupResp(
        status=[
            m.GroupChangeStatus(
                value=_outcome(a.status),
                old_name=a.item.old_name,
                new_name=a.item.new_name,
                index=a.item.index,
            )
            for a in service.modify_group(key, changes)
        ]
    )


def _delete_group(service: EpasService, request: m.DeleteGroup, key: str) -> CupAnswer:
    specs = [GroupSpec(g.name, g.index) for g in request.group]
    return m.DeleteGroupResp(status=_group_statuses(service.delete_group(key, specs)))


def _add_contact(service: EpasService, request: m.AddContact, key: str) -> CupAnswer:
    answer = service.add_contact(key, _contacts(request.group))
    return m.AddContactResp(status=_contact_statuses(answer))


def _modify_contact(service: EpasService, request: m.ModifyContact, key: str) -> CupAnswer:
    answer = service.modify_contact(key, _contacts(request.group))
    return m.ModifyContactResp(status=_contact_statuses(answer))


def _delete_contact(service: EpasService, request: m.DeleteContact, key: str) -> CupAnswer:
    answer = service.delete_contact(key, _contacts(request.group))
    return m.DeleteContactResp(status=_contact_statuses(answer))


def _set_presence_rules(service: EpasService, request: m.SetPresenceRules, key: str) -> CupAnswer:
    rules = [
        PresenceRule(
            r.name,
            None if r.rule.visibility is None else r.rule.visibility.value,
            r.rule.reachability,
            r.rule.filter,
        )
        for r in request.presence_rule
    ]
    return m.SetPresenceRulesResp(status=_rule_statuses(service.set_presence_rules(key, rules)))


def _delete_presence_rules(
    service: EpasService, request: m.DeletePresenceRules, key: str
) -> CupAnswer:
    answer = service.delete_presence_rules(key, [r.name for r in request.rule])
    return m.DeletePresenceRulesResp(status=_rule_statuses(answer))


def _get_acl(service: EpasService, request: m.GetAcl, key: str) -> CupAnswer:
    answer = service.get_acl(key, [r.name for r in request.rule])
    return m.GetAclResp(rule=[_rule_acl(a) for a in answer])


def _add_acl(service: EpasService, request: m.AddAcl, key: str) -> CupAnswer:
    return m.AddAclResp(
        rule=[
            _watcher_statuses(r.name, service.add_acl(key, r.name, [w.strip() for w in r.watcher]))
            for r in request.rule
        ]
    )


def _delete_acl(service: EpasService, request: m.DeleteAcl, key: str) -> CupAnswer:
    return m.DeleteAclResp(
        rule=[
            _watcher_statuses(
                r.name, service.delete_acl(key, r.name, [w.strip() for w in r.watcher])
            )
            for r in request.rule
        ]
    )


def _add_recent_comm(service: EpasService, request: m.AddRecentComm, key: str) -> CupAnswer:
    code = service.add_recent_comm(
        key, str(request.timestamp), request.type_value, tuple(request.data.any_element)
    )
    return m.AddRecentCommResp(
        record=[m.RecordStatus(timestamp=request.timestamp, status_code=code)]
    )


def _get_recent_comm(service: EpasService, request: m.GetRecentComm, key: str) -> CupAnswer:
    return m.GetRecentCommResp(
        record=[
            m.RecentComm(
                timestamp=_timestamp(r.timestamp),
                type_value=r.type,
                data=m.RecentCommData(any_element=_data_elements(r.data)),
            )
            for r in service.get_recent_comm(key)
        ]
    )


def _publish(service: EpasService, request: m.PublishPresStatus, key: str) -> CupAnswer:
    code = service.publish_pres_status(key, request.other_element)
    return m.PublishPresStatusResp(status_code=code)


def _unpublish(service: EpasService, request: m.UnpublishPresStatus, key: str) -> CupAnswer:
    return m.UnpublishPresStatusResp(status_code=service.unpublish_pres_status(key))


def _set_calendaring(service: EpasService, request: m.SetCalendaring, key: str) -> CupAnswer:
    status = service.set_calendaring(key, request.value)
    return m.SetCalendaringResp(value=_outcome(status))


_Handler: TypeAlias = Callable[[EpasService, Any, str], CupAnswer]

_HANDLERS: Final[dict[type[Any], _Handler]] = {
    m.Logout: _logout,
    m.GetAllConfig: _get_all_config,
    m.GetSystemConfig: lambda s, _r, k: _system_config(s.get_system_config(k)),
    m.GetUserConfig: lambda s, _r, k: _user_config(s.get_user_config(k)),
    m.SetUserConfig: _set_user_config,
    m.GetContactList: lambda s, _r, k: _contact_list(s.get_contact_list(k)),
    m.AddGroup: _add_group,
    m.ModifyGroup: _modify_group,
    m.DeleteGroup: _delete_group,
    m.AddContact: _add_contact,
    m.ModifyContact: _modify_contact,
    m.DeleteContact: _delete_contact,
    m.GetPresenceRules: lambda s, _r, k: _presence_rules(s.get_presence_rules(k)),
    m.SetPresenceRules: _set_presence_rules,
    m.DeletePresenceRules: _delete_presence_rules,
    m.GetDialingRules: lambda s, _r, k: _dialing_rules(s.get_dialing_rules(k)),
    m.AddRecentComm: _add_recent_comm,
    m.GetRecentComm: _get_recent_comm,
    m.GetLicensingFeatures: lambda s, _r, k: _licensing(s.get_licensing_features(k)),
    m.PublishPresStatus: _publish,
    m.UnpublishPresStatus: _unpublish,
    m.GetAcl: _get_acl,
    m.AddAcl: _add_acl,
    m.DeleteAcl: _delete_acl,
    m.GetCalendaring: lambda s, _r, k: m.GetCalendaringResp(value=s.get_calendaring(k)),
    m.SetCalendaring: _set_calendaring,
    m.GetOnetimePassword: lambda s, _r, k: m.GetOnetimePasswordResp(
        success=m.OnetimePassword(password=s.get_onetime_password(k))
    ),
}


def _login(service: EpasService, request: m.Login) -> m.LoginResp:
    outcome = service.login(request.username, request.password, bool(request.force))
    if isinstance(outcome, CupFailure):
        return m.LoginResp(failure=m.Failure(reason=outcome.reason))
    return m.LoginResp(success=m.LoginSuccess(session_key=outcome.key))


def cup_answer(service: EpasService, request: object, session_key: str | None = None) -> CupAnswer:
    """The answer model of a decoded EPAS request (no HTTP involved).

    ``session_key`` is the ``session-key`` header block's text (None when the request had
    none; only ``login`` needs none).

    Raises:
        SoapFault: The session key is missing, unknown or expired
            (:data:`SESSION_EXPIRED_REASON`), or ``request`` is no EPAS request
            (:data:`INVALID_REQUEST_REASON`).
    """
    if isinstance(request, m.Login):
        return _login(service, request)
    handler = _HANDLERS.get(type(request))
    if handler is None:
        raise SoapFault(INVALID_REQUEST_REASON)
    if session_key is None:
        raise SoapFault(SESSION_EXPIRED_REASON)
    try:
        return handler(service, request, session_key)
    except InvalidSession:
        raise SoapFault(SESSION_EXPIRED_REASON) from None


# --------------------------------------------------------------------------- HTTP layer


def _soap(model: CupAnswer, status_code: int = 200, header: Sequence[object] = ()) -> Response:
    content = serialize(model, header=header)
    return Response(content, status_code=status_code, media_type=SOAP_MEDIA_TYPE)


def _fault(fault: SoapFault) -> Response:
    blocks = [m.NotUnderstood(qname=QName(name)) for name in fault.not_understood]
    model = soap_fault(fault.reason, sender=fault.sender, must_understand=bool(blocks))
    return _soap(model, fault.status_code, blocks)


# The header blocks the service understands (by ``{namespace}name``).
_UNDERSTOOD: Final = frozenset({f"{{{EPAS_NS}}}session-key"})


def _schema_dir() -> Path:
    return binding("cup").schema_path.parent


class _CupEndpoint:
    """The HTTP side of the emulator: faults, body, parse, session key, answer."""

    def __init__(self, service: EpasService, *, faults: CupFaults, max_body: int) -> None:
        self.service = service
        self.faults = faults
        self.max_body = max_body

    async def handle(self, request: Request) -> Response:
        if request.method == "GET":
            return self._documents(request)
        style = FaultStyle(SOAP_MEDIA_TYPE, _GARBAGE, _HTML_PAGE)
        return await answer_with_faults(
            self.faults, style, lambda: self._answer(request), self._special
        )

    async def _special(self, faults: CupFaults) -> Response | None:
        """The EPAS faults: the database fault, or None to answer (sessions expired first)."""
        if faults.database_down:
            return _fault(SoapFault(DATABASE_DOWN_REASON, sender=False))
        if faults.expire_sessions:
            self.service.expire_all()
        return None

    def _documents(self, request: Request) -> Response:
        """``?wsdl`` answers the WSDL, ``?xsd=NAME`` a schema file beside it."""
        params = request.query_params
        if "wsdl" in params:
            name = _WSDL_FILE
        elif "xsd" in params:
            name = params["xsd"]
            if not name.endswith(".xsd") or Path(name).name != name or name.startswith("."):
                return PlainTextResponse("404 no such schema\n", status_code=404)
        else:
            return PlainTextResponse(
                "405 POST a SOAP request, or GET ?wsdl\n",
                status_code=405,
                headers={"Allow": "GET, POST"},
            )
        path = _schema_dir() / name
        if not path.is_file():
            return PlainTextResponse(f"404 {name} is not shipped\n", status_code=404)
        return Response(path.read_bytes(), media_type=_XML_MEDIA_TYPE)

    async def _answer(self, request: Request) -> Response:
        body = await self._read_body(request)
        if isinstance(body, Response):
            return body
        try:
            model, key = self._decode(body, request.headers)
            return _soap(cup_answer(self.service, model, key))
        except SoapFault as fault:
            return _fault(fault)
        except Exception:  # the emulator's own error: a Receiver fault, never a traceback
            _log.exception("EPAS emulator failed to answer")
            return _fault(SoapFault(INTERNAL_ERROR_REASON, sender=False))

    async def _read_body(self, request: Request) -> bytes | Response:
        """The request body, or the 413/400 answer (see :func:`read_body`)."""
        return await read_body(request, self.max_body)

    def _decode(
        self, body: bytes, headers: Mapping[str, str] | None = None
    ) -> tuple[object, str | None]:
        """Read, check and bind the request and its session key; raise :class:`SoapFault`."""
        invalid = SoapFault(INVALID_REQUEST_REASON)
        if not body.strip():
            raise invalid
        try:
            message = read_message(body, "cup", max_bytes=self.max_body)
        except UcxmlError:  # malformed, DOCTYPE, too large, not an envelope
            raise invalid from None
        # SOAP 1.2: mustUnderstand blocks are checked before anything of the body is done.
        refused = not_understood(message.header, _UNDERSTOOD)
        if refused:
            names = [str(block.tag) for block in refused]
            raise SoapFault(MUST_UNDERSTAND_REASON, sender=False, not_understood=names)
        if message.kind != "request" or not validate_bytes(body, "cup").valid:
            raise invalid
        if headers is not None and not _action_agrees(headers, message):
            raise invalid
        # Blocks of the EPAS namespace that are not session-key, not mustUnderstand: ignored.
        known = tuple(b for b in message.header if str(b.tag) in _UNDERSTOOD)
        try:
            model, beyond = decode_reporting(message)
            header = decode_header(dataclasses.replace(message, header=known))
        except UcxmlError:
            raise invalid from None
        if beyond:
            # A server logs what it read beyond the schema, once per request: a Python
            # warning per piece would let one request of 80,000 attributes flood the log.
            codes = sorted({issue.code or "?" for issue in beyond})
            _log.info(
                "%s request read with %d piece(s) beyond the schema (%s), kept",
                message.type_name,
                len(beyond),
                ", ".join(codes),
            )
        keys = [block.value.strip() for block in header if isinstance(block, m.SessionKey)]
        return model, (keys[0] if keys else None)


def _action_agrees(headers: Mapping[str, str], message: Message) -> bool:
    """Whether the request's action, if any, names the body's operation (or no EPAS one)."""
    action = action_operation(headers.get("content-type"), headers.get("soapaction"))
    if action is None or action == message.type_name:
        return True
    if action in _OPERATION_NAMES:
        _log.warning("EPAS request: action %r for a <%s> body", action, message.type_name)
        return False
    return True  # an action of no EPAS operation (a WS-Addressing URI...) decides nothing


_OPERATION_NAMES: Final = frozenset(binding("cup").operations)


# --------------------------------------------------------------------------- factories


def cup_routes(
    service: EpasService,
    *,
    faults: CupFaults | None = None,
    max_body: int = MAX_BODY_BYTES,
) -> list[BaseRoute]:
    """The emulator's routes (:data:`CUP_PATHS`, one per release), for mounting in a bigger app.

    ``faults`` is the :class:`CupFaults` the route obeys (a fresh, inactive one if None);
    keep a reference to it to inject faults later.
    """
    endpoint = _CupEndpoint(
        service, faults=faults if faults is not None else CupFaults(), max_body=max_body
    )
    return [
        Route(path, endpoint.handle, methods=["GET", "POST"], name="cup" if i == 0 else None)
        for i, path in enumerate(CUP_PATHS)
    ]


def create_cup_app(
    service: EpasService,
    *,
    faults: CupFaults | None = None,
    max_body: int = MAX_BODY_BYTES,
) -> Starlette:
    """A Starlette app serving the EPAS emulator of ``service``.

    ``app.state.faults`` is the app's :class:`CupFaults` (``faults`` when given) and
    ``app.state.cup_service`` the service.
    """
    faults = faults if faults is not None else CupFaults()
    routes = cup_routes(service, faults=faults, max_body=max_body)
    return standalone_app(routes, faults, cup_service=service)
