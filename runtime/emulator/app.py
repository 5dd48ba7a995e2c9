"""The combined emulator app: every emulated server at its real path, on one port.

The CME XML API (``/ios_xml_app/cme``), Extension Mobility (``/emservice/...``,
``/LoginService/...``), the Huawei CC-Gateway (``/agentgateway/...``) and the Presence
EPAS SOAP service (``/EPASSoap/service``) are served.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Final

from starlette.applications import Starlette

from ucxml.emulator.cme_app import CME_PATH, CmeFaults, cme_routes
from ucxml.emulator.cme_app import DEFAULT_RELEASE as CME_DEFAULT_RELEASE
from ucxml.emulator.cme_state import CmeRouter
from ucxml.emulator.cup_app import CUP_PATHS, CupFaults, cup_routes
from ucxml.emulator.cup_state import DEMO_CUP_USERS, EpasService
from ucxml.emulator.em_app import EM_PATHS, EmFaults, em_routes
from ucxml.emulator.em_state import (
    DEMO_EM_APP_CERTIFICATE,
    DEMO_EM_APP_ID,
    DEMO_EM_NOPROXY_APP_ID,
    DEMO_EM_NOPROXY_CERTIFICATE,
    DEMO_EM_USERS,
    EmService,
)
from ucxml.emulator.faults import _BOOKKEEPING, Faults
from ucxml.emulator.huawei_app import EVENT_PATH, HUAWEI_PATH, GatewayFaults, huawei_routes
from ucxml.emulator.huawei_state import (
    DEMO_AGENT_ID,
    DEMO_AGENT_PASSWORD,
    DEMO_PHONE,
    DEMO_SECOND_AGENT_ID,
    DEMO_SECOND_PHONE,
    AgentGateway,
    demo_agent_gateway,
)
from ucxml.generated.huawei.registry import ROUTES as HUAWEI_ROUTES

__all__ = [
    "DEMO_PASSWORD",
    "DEMO_PRIVILEGE",
    "DEMO_USER",
    "EMULATED_APIS",
    "EmulatedApi",
    "create_app",
    "demo_cme_router",
    "demo_cup_service",
    "demo_em_service",
]

DEMO_USER: Final = "admin"
"""XML API user seeded on the demo CME router."""
DEMO_PASSWORD: Final = "admin"
"""Password of :data:`DEMO_USER`."""
DEMO_PRIVILEGE: Final = 15
"""Privilege level of :data:`DEMO_USER`."""


@dataclass(frozen=True, slots=True)
class EmulatedApi:
    """One API of :func:`create_app` as ``ucxml emulate`` announces it (banner and ``--help``).

    Attributes:
        title: What is emulated.
        paths: The paths it is served at.
        accounts: The demo accounts seeded on it, worded for a user.
        faults: Its fault-switch class; ``app.state.<faults_attr>`` is the instance.
        faults_attr: The attribute of ``app.state`` that holds the switches.
        note: Anything else a user needs to reach it (empty: nothing).
    """

    title: str
    paths: tuple[str, ...]
    accounts: tuple[str, ...]
    faults: type[Faults]
    faults_attr: str
    note: str = ""

    @property
    def own_switches(self) -> tuple[str, ...]:
        """The fault switches of this API alone (those of :class:`Faults` excluded)."""
        common = {f.name for f in dataclasses.fields(Faults)}
        return tuple(f.name for f in dataclasses.fields(self.faults) if f.name not in common)

    @staticmethod
    def common_switches() -> tuple[str, ...]:
        """The fault switches every API has (``fail_times`` and the other modifiers excluded)."""
        return tuple(f.name for f in dataclasses.fields(Faults) if f.name not in _BOOKKEEPING)


def _huawei_operations() -> str:
    """The agent operations under ``{agentid}``, by HTTP method, from the generated routes."""
    base = f"{HUAWEI_PATH}/{{agentid}}"
    groups: dict[str, list[str]] = {}
    for method, template in HUAWEI_ROUTES.values():
        if not template.startswith(base):
            continue  # the event poll has a path of its own (listed with the paths)
        groups.setdefault(method, []).append(template.removeprefix(base) or "/")
    calls = "; ".join(f"{method} " + ", ".join(paths) for method, paths in groups.items())
    return f"{calls} (under …/{{agentid}})"


EMULATED_APIS: Final[tuple[EmulatedApi, ...]] = (
    EmulatedApi(
        "CME XML API (stateful router)",
        (CME_PATH,),
        (f"HTTP Basic {DEMO_USER} / {DEMO_PASSWORD} (privilege {DEMO_PRIVILEGE})",),
        CmeFaults,
        "cme_faults",
    ),
    EmulatedApi(
        "Extension Mobility (and the CallManager 3.3 forms)",
        EM_PATHS,
        (
            f"app user {DEMO_EM_APP_ID} / {DEMO_EM_APP_CERTIFICATE}",
            f"app user {DEMO_EM_NOPROXY_APP_ID} / {DEMO_EM_NOPROXY_CERTIFICATE}"
            " (without the EM proxy role)",
            "end users " + ", ".join(DEMO_EM_USERS),
        ),
        EmFaults,
        "em_faults",
    ),
    EmulatedApi(
        "Huawei CC-Gateway agent interface",
        (f"{HUAWEI_PATH}/{{agentid}}", f"{EVENT_PATH}/{{agentid}}"),
        (
            f"agent {DEMO_AGENT_ID} / {DEMO_AGENT_PASSWORD}, phone {DEMO_PHONE}",
            f"agent {DEMO_SECOND_AGENT_ID} (no password), phone {DEMO_SECOND_PHONE}",
        ),
        GatewayFaults,
        "huawei_faults",
        note=_huawei_operations(),
    ),
    EmulatedApi(
        "Presence EPAS SOAP service",
        CUP_PATHS,
        ("users " + ", ".join(f"{name} / {password}" for name, password in DEMO_CUP_USERS),),
        CupFaults,
        "cup_faults",
        note="?wsdl serves the WSDL",
    ),
)
"""Every API :func:`create_app` serves (with its demo state), in the banner's order."""


def demo_cme_router() -> CmeRouter:
    """A CME router with the demo XML user and the demo configuration (``seed_demo``)."""
    router = CmeRouter(xml_users={DEMO_USER: (DEMO_PASSWORD, DEMO_PRIVILEGE)})
    router.seed_demo()
    return router


def demo_em_service() -> EmService:
    """An Extension Mobility service with the demo app users, users, devices and profiles.

    See :meth:`EmService.seed_demo` (app user ``emapp`` / ``emapp-secret``).
    """
    service = EmService()
    service.seed_demo()
    return service


def demo_cup_service() -> EpasService:
    """A Presence (EPAS) service with the demo users (see :meth:`EpasService.seed_demo`)."""
    service = EpasService()
    service.seed_demo()
    return service


def create_app(
    *,
    cme: CmeRouter | None = None,
    em: EmService | None = None,
    huawei: AgentGateway | None = None,
    cup: EpasService | None = None,
    cme_release: str = CME_DEFAULT_RELEASE,
) -> Starlette:
    """The app of every emulator, each at its real path.

    ``cme`` is the CME router to serve (a :func:`demo_cme_router` when None), answering
    in the dialect of ``cme_release`` (``"2008"`` or ``"12.x"``; see
    :func:`~ucxml.emulator.cme_app.cme_routes`).
    ``app.state.cme_router`` and ``app.state.cme_faults`` (:class:`CmeFaults`) give
    tests access to the CME emulator's state and fault injection.
    ``em`` is the Extension Mobility service to serve (a :func:`demo_em_service` when
    None), at ``/emservice/EMServiceServlet`` and the CallManager 3.3
    ``/LoginService/login.asp`` and ``query.asp``; ``app.state.em_service`` and
    ``app.state.em_faults`` (:class:`EmFaults`) give access to it.
    ``huawei`` is the Huawei CC-Gateway to serve (a ``demo_agent_gateway`` with agents
    1001 and 1002 when None), at ``/agentgateway/resource/onlineagent/...``;
    ``app.state.huawei_gateway`` and ``app.state.huawei_faults`` (:class:`GatewayFaults`)
    give access to it.
    ``cup`` is the Presence EPAS service to serve (a :func:`demo_cup_service` when None),
    at ``/EPASSoap/service``; ``app.state.cup_service`` and ``app.state.cup_faults``
    (:class:`CupFaults`) give access to it.
    """
    router = cme if cme is not None else demo_cme_router()
    cme_faults = CmeFaults()
    em_service = em if em is not None else demo_em_service()
    em_faults = EmFaults()
    gateway = huawei if huawei is not None else demo_agent_gateway()
    huawei_faults = GatewayFaults()
    cup_service = cup if cup is not None else demo_cup_service()
    cup_faults = CupFaults()
    app = Starlette(
        routes=[
            *cme_routes(router, faults=cme_faults, release=cme_release),
            *em_routes(em_service, faults=em_faults),
            *huawei_routes(gateway, faults=huawei_faults),
            *cup_routes(cup_service, faults=cup_faults),
        ]
    )
    app.state.cme_router = router
    app.state.cme_faults = cme_faults
    app.state.em_service = em_service
    app.state.em_faults = em_faults
    app.state.huawei_gateway = gateway
    app.state.huawei_faults = huawei_faults
    app.state.cup_service = cup_service
    app.state.cup_faults = cup_faults
    return app
