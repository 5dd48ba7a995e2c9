"""``ucxml demo``: the whole loop on the embedded emulators, in a few readable lines.

It starts the emulators on a free loopback port and runs three scenarios: CME (provision
two phones and their lines with ``exec_cli``, show a typed CLI error, read them back with
``get_device`` / ``get_extension`` sync and async, save the configuration), hot desking
(Extension Mobility login, queries, a refused login, ``logout_all``) and a contact-center
agent (Huawei CC-Gateway sign-in, forced sign-out with reason 7) and presence (a Presence
EPAS session: configuration, contacts with a per-item failure, a presence rule and its ACL,
a typed PIDF status published and withdrawn; a UCCN change notification dispatched by
action; an RLMI list notification split into its presence documents). Then it validates
every corrected example of every API and one deliberately broken capture, and prints a
summary.
"""

from __future__ import annotations

import asyncio
from importlib import resources

from rich.console import Console
from rich.table import Table

from ucxml import pidf
from ucxml._registry import api_names, binding
from ucxml._report import Report
from ucxml._validation import validate_bytes, validate_capture
from ucxml.cme import AsyncCmeClient, CmeClient
from ucxml.cup import CupClient, failed_items
from ucxml.em import EmClient
from ucxml.emulator.app import DEMO_PASSWORD, DEMO_USER, create_app
from ucxml.emulator.cme_state import CmeRouter
from ucxml.emulator.cup_state import DEMO_CUP_PASSWORD, DEMO_CUP_USER
from ucxml.emulator.em_state import DEMO_EM_APP_CERTIFICATE, DEMO_EM_APP_ID
from ucxml.emulator.huawei_state import DEMO_AGENT_ID, DEMO_AGENT_PASSWORD, DEMO_PHONE
from ucxml.emulator.server import EmulatorServer
from ucxml.errors import CmeCliError, EmError, GatewayError
from ucxml.generated.cup import models as cup_models
from ucxml.huawei import AgentGatewayClient
from ucxml.uccn import ChangeEvent, Dispatcher

__all__ = ["PROVISIONING", "run_demo"]

#: IOS configuration the demo sends with ISexecCLI: two lines, two phones.
PROVISIONING = [
    "ephone-dn 1 dual-line",
    "number 2001",
    "name Peter Lee",
    "ephone-dn 2",
    "number 2002",
    "name Anna Berg",
    "ephone 1",
    "mac-address 000D.BC80.EB51",
    "type 7960",
    "button 1:1",
    "ephone 2",
    "mac-address 0012.DA8A.C43D",
    "type 7970",
    "button 1:2 2:1",
]

#: The broken capture the demo validates (a documentation defect, ERRATA E05).
BROKEN_CAPTURE = "15-ISgetExtension-sccp-response.xml"


def _examples(kind: str, api: str = "cme") -> list[tuple[str, bytes]]:
    folder = resources.files(binding(api).info.package).joinpath("examples", kind)
    if not folder.is_dir():
        return []
    return sorted((f.name, f.read_bytes()) for f in folder.iterdir() if f.name.endswith(".xml"))


def _hot_desking(console: Console, base_url: str) -> list[str]:
    """Extension Mobility: log users into phones, query, refuse a login, log all out."""
    failures: list[str] = []
    desk_a, desk_b = "SEP0011223344AA", "SEP0011223344BB"
    with EmClient(base_url, app_id=DEMO_EM_APP_ID, app_certificate=DEMO_EM_APP_CERTIFICATE) as em:
        em.login(desk_a, "jdoe", profile="jdoe-UDP-8845", duration=60)
        em.login(desk_b, "em@cisco.com", duration="indefinite")
        table = Table(title="hot desking: device_user_query after two logins", show_edge=False)
        for column in ("device", "state", "user", "raw user ID"):
            table.add_column(column)
        devices = em.device_user_query(desk_a, desk_b, "SEP0011223344CC")
        for d in devices:
            table.add_row(d.device, d.state.value, d.user or "-", d.user_raw or "-")
        console.print(table)
        jdoe = em.user_devices_query("jdoe")[0]
        console.print(f"user_devices_query(jdoe): {', '.join(jdoe.devices) or 'none'}")
        try:
            em.login(desk_a, "asmith")
            failures.append("a login onto an occupied phone was not refused")
        except EmError as exc:
            console.print(f"login asmith onto {desk_a} -> EmError {exc.code}: {exc.meaning}")
        em.logout_all()
        after = em.device_user_query(desk_a, desk_b)
        console.print(f"logout_all: {', '.join(f'{d.device} {d.state.value}' for d in after)}")
    if [d.state.value for d in devices] != ["logged_in", "logged_in", "logged_out"]:
        failures.append("device_user_query did not show the two logins")
    if any(d.state.value != "logged_out" for d in after):
        failures.append("logout_all left a user logged in")
    return failures


async def _async_global(base_url: str) -> str:
    async with AsyncCmeClient(base_url, username=DEMO_USER, password=DEMO_PASSWORD) as cme:
        info = await cme.get_global()
    return f"{info.name} {info.address} mode {info.mode}, max ephones {info.max_ephone}"


def _agent(console: Console, base_url: str) -> list[str]:
    """Huawei CC-Gateway: sign an agent in, force it out with reason 7, see it refused after."""
    failures: list[str] = []
    with AgentGatewayClient(base_url) as gateway:
        signed = gateway.sign_in(DEMO_AGENT_ID, DEMO_PHONE, password=DEMO_AGENT_PASSWORD)
        console.print(
            f"agent {DEMO_AGENT_ID} signed in on phone {DEMO_PHONE} "
            f"(workno {signed.workno}, GUID kept: {gateway.guid is not None})"
        )
        answer = gateway.force_logout_with_reason(agent_id=DEMO_AGENT_ID, reason=7)
        console.print(
            f"force_logout_with_reason(reason=7): retcode {answer.retcode} {answer.message}"
        )
        try:
            gateway.force_logout_with_reason(agent_id=DEMO_AGENT_ID, reason=7)
            failures.append("a second forced sign-out was not refused")
        except GatewayError as exc:
            console.print(f"again -> GatewayError {exc.code}: {exc.meaning}")
    if answer.retcode != "0":
        failures.append("the forced sign-out failed")
    return failures


def _rlmi_notify(parts: list[tuple[str, bytes]]) -> tuple[bytes, str]:
    """A list NOTIFY body (multipart/related) of the guide's Example 3, from its parts."""
    boundary = "97201414-1dd1-11b2-b"
    chunks = []
    for cid, data in parts:
        kind = "rlmi" if b"urn:ietf:params:xml:ns:rlmi" in data[:300] else "pidf"
        head = (
            f"--{boundary}\r\nContent-ID: <{cid}>\r\nContent-Type: application/{kind}+xml\r\n\r\n"
        )
        chunks.append(head.encode() + data.strip() + b"\r\n")
    body = b"".join(chunks) + f"--{boundary}--\r\n".encode()
    start = parts[0][0]
    content_type = (
        f'multipart/related;type="application/rlmi+xml";start="<{start}>";boundary="{boundary}"'
    )
    return body, content_type


def _presence(console: Console, base_url: str) -> list[str]:
    """Presence: an EPAS session, a UCCN notification, an RLMI list notification."""
    failures: list[str] = []
    c = cup_models
    with CupClient(base_url, username=DEMO_CUP_USER, password=DEMO_CUP_PASSWORD) as cup:
        config = cup.get_all_config()
        groups = config.get_contact_list_resp.group if config.get_contact_list_resp else []
        system = config.get_system_config_resp
        console.print(
            f"cup login as {DEMO_CUP_USER}; get_all_config: {len(groups)} contact groups, "
            f"{len(system.properties) if system else 0} system settings"
        )
        cup.add_group([c.Group(name="demo")])
        answer = cup.add_contact(
            [
                c.Group(
                    name="demo",
                    persona_id=[
                        c.Contact(value="soapuser2", nickname="Two"),
                        c.Contact(value="nobody"),
                    ],
                )
            ]
        )
        table = Table(title="presence: add_contact, one typed status per contact", show_edge=False)
        for column in ("contact", "group", "status"):
            table.add_column(column)
        for item in answer.status:
            value = item.value.value if isinstance(item.value, c.OutcomeCode) else item.value
            table.add_row(item.persona_id, item.group, value)
        console.print(table)
        if [i.persona_id for i in failed_items(answer)] != ["nobody"]:
            failures.append("add_contact did not report the unknown contact alone")
        rule = c.PresenceRule(name="demo-rule", rule=c.Rule(visibility=c.Visibility.ALL))
        cup.set_presence_rules([rule])
        acl = cup.add_acl([c.AclRule(name="demo-rule", watcher=["soapuser2"])])
        if failed_items(acl):
            failures.append("add_acl refused a known watcher")
        status = pidf.build_presence(
            f"sip:{DEMO_CUP_USER}@cisco.com", activities=["vacation"], note="back on Monday"
        )
        published = cup.publish_pres_status(status).status_code
        info = pidf.summary(status)
        console.print(
            f"publish_pres_status({info.basic}, {', '.join(info.activities)}): status {published}; "
            f"unpublish: status {cup.unpublish_pres_status().status_code}"
        )
        cup.delete_presence_rules([c.RuleName(name="demo-rule")])
        cup.delete_group([c.Group(name="demo")])
    if cup.logged_in:
        failures.append("the EPAS session was not logged out")

    events = Dispatcher()
    seen: list[str] = []

    @events.on("insert-contact")
    def contact_added(event: ChangeEvent) -> None:
        new = event.new
        seen.append(
            f"{event.action}: {getattr(new, 'persona_id', '?')} in {getattr(new, 'group', '?')}"
        )

    notification = dict(_examples("corrected", "uccn"))["02-EPASContacts-insert.xml"]
    events.dispatch(notification)
    console.print(f"uccn notification dispatched -> {', '.join(seen) or 'no handler'}")
    if seen != ["insert-contact: Jack in General"]:
        failures.append("the UCCN notification was not dispatched as insert-contact")

    bodies = dict(_examples("corrected", "pidf"))
    parts = [
        ("972014@10.89.51.203", bodies["03-notify-rlmi-list.xml"]),
        ("971a00@10.89.51.203", bodies["03-notify-presence-scalar1.xml"]),
        ("971a28@10.89.51.203", bodies["03-notify-presence-scalar2.xml"]),
    ]
    body, content_type = _rlmi_notify(parts)
    notified = pidf.split_rlmi(body, content_type)
    for resource, documents in notified.presence.items():
        states = [pidf.summary(d) for d in documents]
        console.print(
            f"rlmi {notified.resource_list.uri}: {resource} -> "
            + "; ".join(f"{s.basic}, {', '.join(s.activities)}" for s in states)
        )
    if len(notified.presence) != 2:
        failures.append("the RLMI notification did not give two resources")
    return failures


def _captures(console: Console) -> list[Report]:
    """``ucxml validate`` on the bundled folder of mixed captures, with its summary."""
    folder = resources.files("ucxml").joinpath("demo_captures")
    reports: list[Report] = []
    for entry in sorted(folder.iterdir(), key=lambda e: e.name):
        if entry.name.startswith(".") or not entry.is_file():
            continue
        reports += validate_capture(entry.read_bytes(), source=entry.name, bind=False)
    table = Table(title="ucxml validate demo_captures/ (one row per payload)", show_edge=False)
    for column in ("capture:line", "carried by", "api", "message", "verdict"):
        table.add_column(column)
    for r in reports:
        verdict = "valid" if r.valid else f"invalid ({', '.join(str(i.hint) for i in r.errors)})"
        table.add_row(
            f"{r.source}:{r.line}", r.kind or "-", r.api or "-", r.message or "-", verdict
        )
    console.print(table)
    return reports


def run_demo(console: Console) -> int:
    """Run the demo, printing to ``console``; return the process exit status."""
    failures: list[str] = []
    router = CmeRouter(xml_users={DEMO_USER: (DEMO_PASSWORD, 15)})
    with EmulatorServer(create_app(cme=router)) as server:
        console.print(f"[bold]CME emulator[/] on {server.base_url}/ios_xml_app/cme")
        with CmeClient(server.base_url, username=DEMO_USER, password=DEMO_PASSWORD) as cme:
            result = cme.exec_cli(PROVISIONING)
            console.print(f"exec_cli: {len(PROVISIONING)} lines applied (result {result.result})")
            try:
                cme.exec_cli(["ephone 3", "mac-address 0012.DA8A.C43E", "button 1:9"])
                failures.append("exec_cli with a missing ephone-dn did not fail")
            except CmeCliError as exc:
                console.print(
                    f"exec_cli with a missing dn -> CmeCliError: line {exc.line}, "
                    f"{exc.error.strip()!r}",
                    soft_wrap=True,
                )
            # The emulated phone 1 boots and registers, as a real one would.
            router.register(1, "10.10.10.21")
            devices = cme.get_device(dev_id=[1, 2]).device
            lines = cme.get_extension(ext_id=[1, 2]).extension
            saved = cme.save_config().save_config_result.value
        table = Table(title="phones read back with get_device", show_edge=False)
        for column in ("ephone", "device name", "type", "buttons", "status"):
            table.add_column(column)
        for device in devices:
            buttons = ", ".join(
                f"{m.line_id}:{m.ext_number}"
                for m in (device.phone_line_list.ext_map_status if device.phone_line_list else [])
            )
            status = device.dev_status.value if device.dev_status else "-"
            table.add_row(
                str(device.dev_id), device.dev_name or "-", device.dev_type or "-", buttons, status
            )
        console.print(table)
        table = Table(title="lines read back with get_extension", show_edge=False)
        for column in ("ephone-dn", "number", "name", "mode", "on ephones"):
            table.add_column(column)
        for ext in lines:
            name = " ".join(p for p in (ext.first_name, ext.last_name) if p)
            mode = ext.ext_line_mode.value if ext.ext_line_mode else "-"
            on = ", ".join(str(t) for t in (ext.dev_list.device_id if ext.dev_list else []))
            table.add_row(str(ext.ext_id), ext.ext_number or "-", name, mode, on)
        console.print(table)
        console.print(f"save_config: {saved}")
        console.print(f"async get_global: {asyncio.run(_async_global(server.base_url))}")
        em_failures = _hot_desking(console, server.base_url)
        agent_failures = _agent(console, server.base_url)
        presence_failures = _presence(console, server.base_url)
        failures += em_failures + agent_failures + presence_failures
        numbers = [e.ext_number for e in lines]
        if [d.dev_id for d in devices] != [1, 2] or numbers != ["2001", "2002"]:
            failures.append("the phones or lines read back differ from what was provisioned")
        if saved != "success":
            failures.append(f"save_config answered {saved}")

    reports = []
    for api in api_names():
        corrected = _examples("corrected", api)
        api_reports = [validate_bytes(data, source=name) for name, data in corrected]
        if api_reports:
            api_valid = sum(r.valid for r in api_reports)
            console.print(
                f"validated {len(api_reports)} corrected {api} examples: {api_valid} valid"
            )
        reports += api_reports
    valid = sum(r.valid for r in reports)
    if valid != len(reports):
        failures.append("a corrected example is invalid")
    broken = dict(_examples("documented"))[BROKEN_CAPTURE]
    report = validate_bytes(broken, source=BROKEN_CAPTURE)
    for issue in report.issues:
        console.print(
            f"broken capture {BROKEN_CAPTURE}: {issue.severity} at {issue.line}:{issue.column} "
            f"{issue.message} (hint {issue.hint})",
            highlight=False,
            soft_wrap=True,
        )
    if report.valid or not all(i.hint for i in report.errors):
        failures.append("the broken capture was not rejected with an errata hint")

    capture_reports = _captures(console)
    bad = [r for r in capture_reports if not r.valid]
    if len(bad) != 1 or [i.hint for i in bad[0].errors] != ["E05"]:
        failures.append("the bundled captures did not give exactly the one known defect")

    summary = Table(title="summary", show_edge=False)
    summary.add_column("check")
    summary.add_column("result")
    others = em_failures + agent_failures + presence_failures
    cme_ok = not [f for f in failures if f not in others]
    summary.add_row("CME provision + read back (sync, async)", "ok" if cme_ok else "FAILED")
    summary.add_row(
        "EM hot desking (login, queries, logout_all)", "FAILED" if em_failures else "ok"
    )
    summary.add_row(
        "CC-Gateway agent (sign in, force out, reason 7)", "FAILED" if agent_failures else "ok"
    )
    summary.add_row(
        "Presence (EPAS session, UCCN dispatch, RLMI split)",
        "FAILED" if presence_failures else "ok",
    )
    summary.add_row("corrected examples valid", f"{valid}/{len(reports)}")
    summary.add_row("broken capture rejected with hint", "yes" if not report.valid else "no")
    summary.add_row(
        "mixed captures (HTTP, chunked, EM form, SIP multipart, JSON)",
        f"{len(capture_reports) - len(bad)}/{len(capture_reports)} valid",
    )
    console.print(summary)
    for failure in failures:
        console.print(f"[red]failed:[/] {failure}")
    return 1 if failures else 0
