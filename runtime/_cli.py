"""The ``ucxml`` command line: ``validate``, ``emulate``, ``demo``, ``apis``."""

from __future__ import annotations

import dataclasses
import json
import re
import sys
import tempfile
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

import click

if TYPE_CHECKING:  # rich and the emulators are imported by the commands that use them
    from rich.console import Console

    from ucxml._report import Issue, Report
    from ucxml.emulator.app import EmulatedApi

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


def _where(report: Report) -> str:
    if report.kind is None or (report.kind in ("xml", "json") and report.line == 1):
        return f"{report.source}"
    carrier = f" {report.carrier}" if report.carrier else ""
    return f"{report.source}:{report.line} [{report.kind}{carrier}]"


#: What a warning's pattern ignores: quoted names and values, and numbers (counts, lines).
_PAYLOAD_SPECIFIC = re.compile(r"'[^']*'|\"[^\"]*\"|\d[\d,.]*")
_WarningKey = tuple[str | None, str | None, str]


def _warning_key(report: Report, issue: Issue) -> _WarningKey:
    """Which warnings are "the same": same hint (of the same API) and the same message text
    once quoted names and values and numbers are ignored."""
    pattern = _PAYLOAD_SPECIFIC.sub("…", issue.message)
    return (report.api if issue.hint else None, issue.hint, pattern)


@dataclasses.dataclass
class _Repeats:
    """Where each warning pattern is first seen, in how many payloads, with which texts."""

    first: int
    payloads: set[int] = dataclasses.field(default_factory=set)
    texts: set[str] = dataclasses.field(default_factory=set)

    def more(self) -> str | None:
        """The line that counts the other payloads with this warning (None: no other)."""
        others = len(self.payloads) - 1
        if others <= 0:
            return None
        plural = "payload" if others == 1 else "payloads"
        if len(self.texts) == 1:
            return f"… and the same warning in {others:,} more {plural}"
        return (
            f"… and the same warning, with other names or values, in {others:,} more {plural}"
            " (--format json lists every one)"
        )


def _repeats(reports: Sequence[Report]) -> dict[_WarningKey, _Repeats]:
    found: dict[_WarningKey, _Repeats] = {}
    for index, report in enumerate(reports):
        for issue in report.warnings:
            entry = found.setdefault(_warning_key(report, issue), _Repeats(index))
            entry.payloads.add(index)
            entry.texts.add(issue.message)
    return found


def _print_text(
    console: Console,
    reports: Sequence[Report],
    io_errors: Sequence[tuple[str, str]],
    *,
    errors: Console,
    quiet: bool = False,
) -> None:
    """Text results on ``console``, unreadable inputs on ``errors``.

    A warning seen in several payloads is printed once, where it is first seen, followed
    by how many more payloads have it. ``quiet`` prints only the invalid payloads and their
    errors (and the summary).
    """
    from rich.markup import escape
    from rich.table import Table

    from ucxml._registry import erratum_text

    repeats = _repeats(reports)

    def hint(report: Report, issue: Issue) -> None:
        if not issue.hint:
            return
        # hint_text is set wherever the erratum is known, also when no API was detected
        # (a capture-level erratum); a bare id is still better than nothing.
        text = issue.hint_text or ""
        if not text and report.api:
            text = erratum_text(report.api, issue.hint) or ""
        console.print(
            f"      [magenta]hint {issue.hint}[/]" + (f": {escape(text)}" if text else ""),
            highlight=False,
            soft_wrap=True,
        )

    for index, report in enumerate(reports):
        if quiet and report.valid:
            continue
        shown: list[Issue] = []
        hidden = 0  # warnings printed with an earlier payload
        for issue in report.issues:
            if issue.severity == "error":
                shown.append(issue)
            elif quiet:
                continue
            elif repeats[_warning_key(report, issue)].first != index:
                hidden += 1
            else:
                shown.append(issue)
        mark = "[green]✓ valid[/]" if report.valid else "[red]✗ invalid[/]"
        release = f"(release {report.release})" if report.release else None
        what = " ".join(x for x in (report.api, report.message, release) if x) or "(not detected)"
        line = f"{mark}  {escape(_where(report))}  [cyan]{escape(what)}[/]"
        if hidden:
            line += f"  [dim yellow]({hidden} repeated warning{'s' if hidden > 1 else ''})[/]"
        console.print(line, highlight=False, soft_wrap=True)
        for position, issue in enumerate(shown):
            where = f"{issue.line}:{issue.column or 0}" if issue.line else "-"
            color = "red" if issue.severity == "error" else "yellow"
            console.print(
                f"    [{color}]{issue.severity}[/] {where} {escape(issue.message)}"
                + (f"  [dim]({escape(issue.path)})[/]" if issue.path else ""),
                highlight=False,
                soft_wrap=True,
            )
            hint(report, issue)
            if issue.severity == "error":
                continue
            key = _warning_key(report, issue)
            later = (_warning_key(report, i) == key for i in shown[position + 1 :])
            more = repeats[key].more()
            if more is not None and not any(later):
                console.print(f"      [yellow]{escape(more)}[/]", highlight=False, soft_wrap=True)
    for source, error in io_errors:
        errors.print(
            f"[red]✗ error[/]  {escape(source)}  {escape(error)}", highlight=False, soft_wrap=True
        )
    table = Table(title="summary", show_edge=False)
    for column in ("api", "payloads", "valid", "invalid", "warnings"):
        table.add_column(column, justify="right")
    by_api: dict[str, list[Report]] = {}
    for report in reports:
        by_api.setdefault(report.api or "(not detected)", []).append(report)
    rows = [*sorted(by_api.items()), ("all", list(reports))]
    for name, group in rows:
        valid = sum(1 for r in group if r.valid)
        warned = sum(1 for r in group if r.warnings)
        table.add_row(name, str(len(group)), str(valid), str(len(group) - valid), str(warned))
    console.print(table)
    if io_errors:
        errors.print(f"[red]{len(io_errors)} input(s) could not be read[/]", highlight=False)


def _junit(reports: Sequence[Report], io_errors: Sequence[tuple[str, str]]) -> str:
    """A JUnit XML report: one test case per payload, one per unreadable input."""
    from lxml import etree

    suite = etree.Element("testsuite", name="ucxml validate")
    failures = errors = 0
    for report in reports:
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
@click.option(
    "-q",
    "--quiet",
    is_flag=True,
    help="Text format: print only the invalid payloads and their errors (and the summary).",
)
def validate(
    paths: tuple[str, ...],
    api: str | None,
    fmt: str,
    strict: bool,
    bind: bool,
    show_secrets: bool,
    quiet: bool,
) -> None:
    """Validate captures: XML and JSON payloads, raw HTTP and SIP messages, EM form posts.

    Folders are walked (*.xml, *.json, *.http, *.sip, *.txt, *.log, *.raw, *.form, *.soap),
    - reads standard input. Every payload of every input gets its own result.
    In text, a warning that many payloads share is printed once, then counted; JSON and
    JUnit list every issue of every payload. Secret values are masked in every format
    unless --show-secrets. Results go to standard output, errors to standard error.
    Exit status: 0 all valid, 1 any invalid, 2 usage or I/O error.
    """
    from ucxml._captures import find_inputs, read_input
    from ucxml._registry import api_names
    from ucxml._validation import validate_capture

    if api is not None and api not in api_names():
        raise click.UsageError(f"unknown API {api!r}; choose from {', '.join(api_names())}")
    reports: list[Report] = []
    io_errors: list[tuple[str, str]] = []
    payloadless: list[str] = []  # inputs without an XML or JSON payload (a text/plain MESSAGE)
    # Named first, each read only when its turn comes and dropped once checked: memory
    # does not grow with the number of inputs.
    inputs = find_inputs(paths)
    progress = None
    if len(inputs) > _PROGRESS_AFTER and _interactive():
        from rich.console import Console
        from rich.progress import Progress

        progress = Progress(console=Console(stderr=True), transient=True)
    task = progress.add_task("validating", total=len(inputs)) if progress else None
    if progress is not None:
        progress.start()
    try:
        for item in inputs:
            if progress is not None and task is not None:
                progress.advance(task)
            capture = read_input(item)
            if capture.skipped is not None:
                click.echo(f"ucxml validate: {capture.source}: {capture.skipped}", err=True)
                continue
            if capture.error is not None:
                io_errors.append((capture.source, capture.error))
                continue
            try:
                found = validate_capture(
                    capture.data, api, source=capture.source, bind=bind, show_secrets=show_secrets
                )
            except MemoryError:
                io_errors.append((capture.source, "out of memory while checking it"))
                continue
            if not found:
                payloadless.append(capture.source)
            for report in found:
                if strict and report.warnings:
                    issues = tuple(dataclasses.replace(i, severity="error") for i in report.issues)
                    report = dataclasses.replace(report, issues=issues)
                reports.append(report)
    finally:
        if progress is not None:
            progress.stop()
    if fmt != "text":  # the text format words them itself, on standard error too
        for source, error in io_errors:
            click.echo(f"ucxml validate: {source}: {error}", err=True)
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
        for source in [] if quiet else payloadless:
            console.print(
                f"[dim]– no XML or JSON payload in {source}[/]", highlight=False, soft_wrap=True
            )
        _print_text(console, reports, io_errors, errors=Console(stderr=True), quiet=quiet)
    if io_errors:
        sys.exit(EXIT_USAGE)
    sys.exit(EXIT_VALID if all(r.valid for r in reports) else EXIT_INVALID)


def _api_lines(api: EmulatedApi, base_url: str = "") -> Iterator[tuple[int, str]]:
    """How one emulated API is announced: (indent level, text) lines.

    The banner of ``ucxml emulate`` (with the base URL) and its ``--help`` (paths only)
    both print these.
    """
    yield 0, api.title
    for path in api.paths:
        yield 1, f"{base_url}{path}"
    for account in api.accounts:
        yield 1, account
    if api.note:
        yield 1, api.note


class _EmulateCommand(click.Command):
    """``ucxml emulate``, whose help ends with the APIs, their demo accounts and faults."""

    def format_epilog(self, ctx: click.Context, formatter: click.HelpFormatter) -> None:
        from ucxml.emulator.app import EMULATED_APIS, EmulatedApi

        with formatter.section("Emulated APIs, their paths and demo accounts"):
            for api in EMULATED_APIS:
                for level, text in _api_lines(api):
                    formatter.current_indent += 2 * level
                    formatter.write_text(text)
                    formatter.current_indent -= 2 * level
        with formatter.section("Fault switches (Python: create_app().state.<api>_faults)"):
            rows = [("every API", ", ".join(EmulatedApi.common_switches()))]
            rows += [(a.faults_attr, ", ".join(a.own_switches)) for a in EMULATED_APIS]
            formatter.write_dl([(name, text) for name, text in rows if text])
            formatter.write_paragraph()
            formatter.write_text(
                "fail_times=N limits them to the next N requests; status_body and retry_after"
                " shape an injected status; requests counts what arrived. See the README's"
                " Emulator section."
            )
        super().format_epilog(ctx, formatter)


def _listen_error(host: str, port: int, exc: OSError) -> str:
    """One line for the user: why ``ucxml emulate`` cannot listen on ``host``:``port``."""
    from ucxml.emulator.server import PortInUseError

    if isinstance(exc, PortInUseError):
        return f"{exc}; pick another with --port, or --port 0 for a free one"
    reason = exc.strerror or str(exc) or type(exc).__name__
    return f"cannot listen on {host} port {port}: {reason}"


@cli.command(cls=_EmulateCommand)
@click.option("--host", default="127.0.0.1", show_default=True, help="Address to listen on.")
@click.option(
    "--port",
    default=8080,
    show_default=True,
    type=click.IntRange(0, 65535),
    help="Port (0: any free one, printed when listening).",
)
@click.option(
    "--tls",
    is_flag=True,
    help="Serve HTTPS with a self-signed certificate made for the host (and 127.0.0.1, "
    "localhost); its path is printed, to trust it with ca_bundle=.",
)
@click.option(
    "--tls-dir",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Keep the --tls certificate and key in this folder, reused while valid "
    "(implies --tls; default: a temporary folder removed on exit).",
)
@click.option(
    "--log-requests",
    is_flag=True,
    help="Log each request on stderr: method, path, status, duration "
    "(never bodies, headers or query strings).",
)
@click.option(
    "--cme-release",
    type=click.Choice(["2008", "12.x"]),
    default="2008",
    show_default=True,
    help="Dialect of the CME answers: 2008 (SOAP envelope, axl, xsi:type) or 12.x "
    "(bare, plural containers, the richer IOS XE records). Requests of both are read.",
)
def emulate(
    host: str,
    port: int,
    tls: bool,
    tls_dir: Path | None,
    log_requests: bool,
    cme_release: str,
) -> None:
    """Run the local emulators of every API on one port, each at its real path."""
    from ucxml.emulator.app import EMULATED_APIS, create_app
    from ucxml.emulator.server import serve

    app = create_app(cme_release=cme_release)
    allow_remote = host not in ("127.0.0.1", "localhost", "::1")
    certificate: Path | None = None

    def ready(base_url: str) -> None:
        click.echo(f"ucxml emulators listening on {base_url}")
        for api in EMULATED_APIS:
            for level, text in _api_lines(api, base_url):
                click.echo("  " * (level + 1) + text)
        if certificate is not None:
            kept = "" if tls_dir is not None else " (removed on exit; --tls-dir keeps it)"
            click.echo(f"TLS: self-signed certificate {certificate}{kept}")
            click.echo(f'  trust it in ucxml clients with ca_bundle="{certificate}"')
            click.echo(f'  or elsewhere as a CA file (curl --cacert "{certificate}")')
        click.echo("Press Ctrl-C to stop.")

    def run(tls_files: tuple[str, str] | None) -> None:
        certfile, keyfile = tls_files if tls_files is not None else (None, None)
        try:
            serve(
                app,
                host=host,
                port=port,
                allow_remote=allow_remote,
                ready=ready,
                ssl_certfile=certfile,
                ssl_keyfile=keyfile,
                access_log=(lambda line: click.echo(line, err=True)) if log_requests else None,
            )
        except OSError as exc:  # port in use, address not available, unknown host, ...
            click.echo(_listen_error(host, port, exc), err=True)
            sys.exit(EXIT_USAGE)
        except ValueError as exc:
            click.echo(f"cannot listen on {host} port {port}: {exc}", err=True)
            sys.exit(EXIT_USAGE)

    if not (tls or tls_dir is not None):
        run(None)
        return
    from ucxml.emulator.tls import self_signed_certificate

    with tempfile.TemporaryDirectory(prefix="ucxml-emulator-tls-") as scratch:
        try:
            files = self_signed_certificate(tls_dir if tls_dir is not None else scratch, host)
        except OSError as exc:
            click.echo(f"cannot write the TLS certificate: {exc}", err=True)
            sys.exit(EXIT_USAGE)
        certificate = files.certfile
        run((str(files.certfile), str(files.keyfile)))


@cli.command()
def demo() -> None:
    """Run the end-to-end demo against the embedded emulator (exit 0 on success)."""
    from rich.console import Console

    from ucxml._demo import run_demo

    sys.exit(run_demo(Console()))


@cli.command()
def apis() -> None:
    """List the supported APIs, their operations and the documents they exchange."""
    from rich.console import Console
    from rich.table import Table

    from ucxml._registry import api_names, binding

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
