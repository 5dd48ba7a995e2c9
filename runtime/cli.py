"""The ``ucxml`` command line: ``validate``, ``emulate``, ``demo``, ``apis``."""

from __future__ import annotations

import dataclasses
import json
import sys
from collections.abc import Sequence
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # rich is imported by the commands that print, to keep start-up short
    from rich.console import Console

__all__ = ["main"]

EXIT_VALID, EXIT_INVALID, EXIT_USAGE = 0, 1, 2
#: A progress bar is shown (on a terminal only) when there are more inputs than this.
_PROGRESS_AFTER = 200


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="ucxml")
def cli() -> None:
    """Typed bindings, validation and emulators for UC systems' XML interfaces."""


def _interactive() -> bool:
    """Whether output goes to a terminal (progress bars only then; nothing extra when piped)."""
    return sys.stdout.isatty() and sys.stderr.isatty()


def _where(report: object) -> str:
    from ucxml.report import Report

    assert isinstance(report, Report)
    if report.kind is None or (report.kind in ("xml", "json") and report.line == 1):
        return f"{report.source}"
    carrier = f" {report.carrier}" if report.carrier else ""
    return f"{report.source}:{report.line} [{report.kind}{carrier}]"


def _print_text(
    console: Console, reports: Sequence[object], io_errors: Sequence[tuple[str, str]]
) -> None:
    from rich.markup import escape
    from rich.table import Table

    from ucxml.registry import binding
    from ucxml.report import Report

    titles: dict[tuple[str, str], str] = {}
    for report in reports:
        assert isinstance(report, Report)
        mark = "[green]✓ valid[/]" if report.valid else "[red]✗ invalid[/]"
        what = " ".join(x for x in (report.api, report.message) if x) or "(not detected)"
        line = f"{mark}  {escape(_where(report))}  [cyan]{escape(what)}[/]"
        console.print(line, highlight=False, soft_wrap=True)
        for issue in report.issues:
            where = f"{issue.line}:{issue.column or 0}" if issue.line else "-"
            color = "red" if issue.severity == "error" else "yellow"
            console.print(
                f"    [{color}]{issue.severity}[/] {where} {escape(issue.message)}"
                + (f"  [dim]({escape(issue.path)})[/]" if issue.path else ""),
                highlight=False,
                soft_wrap=True,
            )
            if issue.hint and report.api:
                key = (report.api, issue.hint)
                if key not in titles:
                    entry = next(
                        (e for e in binding(report.api).errata if e.id == issue.hint), None
                    )
                    titles[key] = entry.title if entry else ""
                kind = "known documentation defect" if issue.hint[:1] == "E" else "see decision"
                console.print(
                    f"      [magenta]hint {issue.hint}[/]: {kind} — {escape(titles[key])}",
                    highlight=False,
                    soft_wrap=True,
                )
    for source, error in io_errors:
        console.print(
            f"[red]✗ error[/]  {escape(source)}  {escape(error)}", highlight=False, soft_wrap=True
        )
    table = Table(title="summary", show_edge=False)
    for column in ("api", "payloads", "valid", "invalid", "warnings"):
        table.add_column(column, justify="right")
    by_api: dict[str, list[Report]] = {}
    for report in reports:
        assert isinstance(report, Report)
        by_api.setdefault(report.api or "(not detected)", []).append(report)
    rows = [*sorted(by_api.items()), ("all", [r for r in reports if isinstance(r, Report)])]
    for name, group in rows:
        valid = sum(1 for r in group if r.valid)
        warned = sum(1 for r in group if r.warnings)
        table.add_row(name, str(len(group)), str(valid), str(len(group) - valid), str(warned))
    console.print(table)
    if io_errors:
        console.print(f"[red]{len(io_errors)} input(s) could not be read[/]", highlight=False)


def _junit(reports: Sequence[object], io_errors: Sequence[tuple[str, str]]) -> str:
    """A JUnit XML report: one test case per payload, one per unreadable input."""
    from lxml import etree

    from ucxml.report import Report

    suite = etree.Element("testsuite", name="ucxml validate")
    failures = errors = 0
    for report in reports:
        assert isinstance(report, Report)
        case = etree.SubElement(
            suite,
            "testcase",
            classname=report.api or "undetected",
            name=_where(report) + (f" {report.message}" if report.message else ""),
        )
        if not report.valid:
            failures += 1
            first = report.errors[0]
            failure = etree.SubElement(
                case, "failure", message=first.message[:500], type=first.hint or "invalid"
            )
            failure.text = "\n".join(
                f"{i.severity} {i.line}:{i.column or 0} {i.message}"
                + (f" (hint {i.hint})" if i.hint else "")
                for i in report.issues
            )
        elif report.warnings:
            out = etree.SubElement(case, "system-out")
            out.text = "\n".join(
                f"warning {i.line}:{i.column or 0} {i.message}" for i in report.warnings
            )
    for source, error in io_errors:
        errors += 1
        case = etree.SubElement(suite, "testcase", classname="io", name=source)
        etree.SubElement(case, "error", message=error)
    suite.set("tests", str(len(reports) + len(io_errors)))
    suite.set("failures", str(failures))
    suite.set("errors", str(errors))
    return etree.tostring(suite, encoding="unicode", pretty_print=True)


@cli.command()
@click.argument("paths", nargs=-1, required=True)
@click.option("--api", "api", default=None, help="Validate as this API instead of detecting it.")
@click.option(
    "--format",
    "fmt",
    type=click.Choice(["text", "json", "junit"]),
    default="text",
    show_default=True,
)
@click.option("--strict", is_flag=True, help="Treat warnings (tolerated deviations) as errors.")
@click.option(
    "--bind", is_flag=True, help="Also bind every valid payload to the typed models (slower)."
)
@click.option(
    "--show-secrets",
    is_flag=True,
    help="Print passwords, certificates, session keys and GUIDs (masked as *** by default).",
)
def validate(
    paths: tuple[str, ...], api: str | None, fmt: str, strict: bool, bind: bool, show_secrets: bool
) -> None:
    """Validate captures: XML and JSON payloads, raw HTTP and SIP messages, EM form posts.

    Folders are walked (*.xml, *.json, *.http, *.sip, *.txt, *.log, *.raw, *.form, *.soap),
    - reads standard input. Every payload of every input gets its own result.
    Secret values are masked in every format unless --show-secrets.
    Exit status: 0 all valid, 1 any invalid, 2 usage or I/O error.
    """
    from ucxml.captures import iter_captures
    from ucxml.registry import api_names
    from ucxml.report import Issue, Report
    from ucxml.validation import validate_capture

    if api is not None and api not in api_names():
        raise click.UsageError(f"unknown API {api!r}; choose from {', '.join(api_names())}")
    reports: list[Report] = []
    io_errors: list[tuple[str, str]] = []
    quiet: list[str] = []  # inputs that carry no XML or JSON payload (a text/plain MESSAGE)
    captures = list(iter_captures(paths))
    progress = None
    if len(captures) > _PROGRESS_AFTER and _interactive():
        from rich.console import Console
        from rich.progress import Progress

        progress = Progress(console=Console(stderr=True), transient=True)
    task = progress.add_task("validating", total=len(captures)) if progress else None
    if progress is not None:
        progress.start()
    try:
        for capture in captures:
            if progress is not None and task is not None:
                progress.advance(task)
            if capture.error is not None:
                io_errors.append((capture.source, capture.error))
                continue
            found = validate_capture(
                capture.data, api, source=capture.source, bind=bind, show_secrets=show_secrets
            )
            if not found:
                quiet.append(capture.source)
            for report in found:
                if strict and report.warnings:
                    issues = tuple(
                        Issue("error", i.message, i.line, i.column, i.path, i.hint)
                        for i in report.issues
                    )
                    report = dataclasses.replace(report, issues=issues)
                reports.append(report)
    finally:
        if progress is not None:
            progress.stop()
    if fmt == "json":
        out = [r.to_dict() for r in reports]
        out += [
            {
                "path": s,
                "api": None,
                "message": None,
                "valid": False,
                "issues": [
                    {
                        "severity": "error",
                        "line": None,
                        "column": None,
                        "path": "",
                        "message": e,
                        "hint": None,
                    }
                ],
            }
            for s, e in io_errors
        ]
        click.echo(json.dumps(out, indent=2))
    elif fmt == "junit":
        click.echo(_junit(reports, io_errors), nl=False)
    else:
        from rich.console import Console

        console = Console()
        for source in quiet:
            console.print(
                f"[dim]– no XML or JSON payload in {source}[/]", highlight=False, soft_wrap=True
            )
        _print_text(console, reports, io_errors)
    if io_errors:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_VALID if all(r.valid for r in reports) else EXIT_INVALID)


@cli.command()
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option("--port", default=8080, show_default=True, type=int, help="Port (0: any free one).")
def emulate(host: str, port: int) -> None:
    """Run the local emulators of every API on one port, each at its real path."""
    from ucxml.emulator.app import DEMO_PASSWORD, DEMO_USER, create_app
    from ucxml.emulator.cup_state import DEMO_CUP_PASSWORD, DEMO_CUP_USER
    from ucxml.emulator.em_state import DEMO_EM_APP_CERTIFICATE, DEMO_EM_APP_ID
    from ucxml.emulator.huawei_state import DEMO_AGENT_ID, DEMO_AGENT_PASSWORD, DEMO_PHONE
    from ucxml.emulator.server import serve

    app = create_app()
    allow_remote = host not in ("127.0.0.1", "localhost", "::1")

    def ready(base_url: str) -> None:
        click.echo(f"ucxml emulators listening on {base_url}")
        lines = [
            (f"{base_url}/ios_xml_app/cme", f"HTTP Basic {DEMO_USER} / {DEMO_PASSWORD}"),
            (
                f"{base_url}/emservice/EMServiceServlet",
                f"EM app user {DEMO_EM_APP_ID} / {DEMO_EM_APP_CERTIFICATE}",
            ),
            (f"{base_url}/LoginService/login.asp and query.asp", "EM, CallManager 3.3 form"),
            (
                f"{base_url}/agentgateway/resource/onlineagent/{{agentid}}",
                f"agent {DEMO_AGENT_ID} / {DEMO_AGENT_PASSWORD}, phone {DEMO_PHONE}",
            ),
            (
                f"{base_url}/EPASSoap/service",
                f"Presence user {DEMO_CUP_USER} / {DEMO_CUP_PASSWORD}",
            ),
        ]
        for url, account in lines:
            click.echo(f"  {url}  ({account})")
        click.echo("Press Ctrl-C to stop.")

    serve(app, host=host, port=port, allow_remote=allow_remote, ready=ready)


@cli.command()
def demo() -> None:
    """Run the end-to-end demo against the embedded emulator (exit 0 on success)."""
    from rich.console import Console

    from ucxml.demo import run_demo

    sys.exit(run_demo(Console()))


@cli.command()
def apis() -> None:
    """List the supported APIs, their operations and the documents they exchange."""
    from rich.console import Console
    from rich.table import Table

    from ucxml.registry import api_names, binding

    console = Console(width=None if sys.stdout.isatty() else 160)
    for name in api_names():
        api = binding(name)
        table = Table(title=f"{name}: {api.info.title}", show_edge=False)
        for column in ("operation", "method", "request", "response"):
            table.add_column(column)
        for op in api.operations.values():
            table.add_row(op.name, op.method, op.request.__name__, op.response.__name__)
        if api.operations:
            console.print(table)
        if api.documents:
            documents = Table(title=f"{name}: {api.info.title}", show_edge=False)
            documents.add_column("document")
            documents.add_column("model")
            for element, model in api.documents.items():
                documents.add_row(element, model.__name__)
            console.print(documents)


def main(argv: Sequence[str] | None = None) -> None:
    """Entry point of the ``ucxml`` console script."""
    cli.main(args=list(argv) if argv is not None else None, prog_name="ucxml")
