"""``ucxml demo``: the whole loop on the embedded CME emulator, in a few readable lines.

It starts the emulator on a free loopback port, provisions two phones and their lines with
``exec_cli``, shows a typed CLI error, reads the phones and lines back with ``get_device``
and ``get_extension`` (sync and async), saves the configuration, validates every corrected
CME example and one deliberately broken capture, and prints a summary.
"""

from __future__ import annotations

import asyncio
from importlib import resources

from rich.console import Console
from rich.table import Table

from ucxml.cme import AsyncCmeClient, CmeClient
from ucxml.emulator.app import DEMO_PASSWORD, DEMO_USER, create_app
from ucxml.emulator.cme_state import CmeRouter
from ucxml.emulator.server import EmulatorServer
from ucxml.errors import CmeCliError
from ucxml.validation import validate_bytes

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


def _examples(kind: str) -> list[tuple[str, bytes]]:
    folder = resources.files("ucxml.generated.cme").joinpath("examples", kind)
    return sorted((f.name, f.read_bytes()) for f in folder.iterdir() if f.name.endswith(".xml"))


async def _async_global(base_url: str) -> str:
    async with AsyncCmeClient(base_url, username=DEMO_USER, password=DEMO_PASSWORD) as cme:
        info = await cme.get_global()
    return f"{info.name} {info.address} mode {info.mode}, max ephones {info.max_ephone}"


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
        numbers = [e.ext_number for e in lines]
        if [d.dev_id for d in devices] != [1, 2] or numbers != ["2001", "2002"]:
            failures.append("the phones or lines read back differ from what was provisioned")
        if saved != "success":
            failures.append(f"save_config answered {saved}")

    corrected = _examples("corrected")
    reports = [validate_bytes(data, source=name) for name, data in corrected]
    valid = sum(r.valid for r in reports)
    console.print(f"validated {len(reports)} corrected CME examples: {valid} valid")
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

    summary = Table(title="summary", show_edge=False)
    summary.add_column("check")
    summary.add_column("result")
    summary.add_row("provision + read back (sync, async)", "ok" if not failures else "FAILED")
    summary.add_row("corrected examples valid", f"{valid}/{len(reports)}")
    summary.add_row("broken capture rejected with hint", "yes" if not report.valid else "no")
    console.print(summary)
    for failure in failures:
        console.print(f"[red]failed:[/] {failure}")
    return 1 if failures else 0
