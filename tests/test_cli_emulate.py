"""``ucxml emulate`` as a user runs it: ports, the banner, ``--help``, ``--tls``, the access log."""

from __future__ import annotations

import os
import queue
import re
import signal
import socket
import ssl
import stat
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest
from click.testing import CliRunner

from ucxml import TlsVerificationError
from ucxml._cli import cli
from ucxml.cme import CmeClient
from ucxml.em import EmClient
from ucxml.emulator.app import DEMO_PASSWORD, DEMO_USER
from ucxml.emulator.cme_app import CME_PATH
from ucxml.emulator.cup_app import CUP_PATH
from ucxml.emulator.cup_state import DEMO_CUP_USERS
from ucxml.emulator.em_app import EM_PATHS
from ucxml.emulator.em_state import DEMO_EM_APP_CERTIFICATE, DEMO_EM_APP_ID
from ucxml.emulator.huawei_app import HUAWEI_PATH
from ucxml.emulator.huawei_state import DEMO_AGENT_ID, DEMO_AGENT_PASSWORD, DEMO_PHONE
from ucxml.huawei import AgentGatewayClient

START_TIMEOUT = 30.0


@dataclass
class Emulator:
    """A running ``ucxml emulate`` child process and what its banner said."""

    process: subprocess.Popen[str]
    banner: list[str]

    @property
    def url(self) -> str:
        return self.banner[0].split()[-1]

    @property
    def certificate(self) -> Path:
        found = re.search(r'ca_bundle="([^"]+)"', "\n".join(self.banner))
        assert found, self.banner
        return Path(found.group(1))


def _command(*args: str) -> list[str]:
    return [sys.executable, "-m", "ucxml", "emulate", *args]


@contextmanager
def emulate(*args: str) -> Iterator[Emulator]:
    """Run ``ucxml emulate`` with ``args`` until its banner is printed; stop it with Ctrl-C."""
    process = subprocess.Popen(
        _command(*args), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )
    lines: queue.Queue[str | None] = queue.Queue()

    def read() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            lines.put(line.rstrip("\n"))
        lines.put(None)

    threading.Thread(target=read, daemon=True).start()
    banner: list[str] = []
    deadline = time.monotonic() + START_TIMEOUT
    try:
        while not banner or not banner[-1].startswith("Press Ctrl-C"):
            line = lines.get(timeout=max(deadline - time.monotonic(), 0.1))
            assert line is not None, f"the emulator exited: {process.communicate()[1]}"
            banner.append(line)
        yield Emulator(process, banner)
    finally:
        if process.poll() is None:
            process.send_signal(signal.SIGINT)
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()


def _stop(emulator: Emulator) -> str:
    """Stop the emulator with Ctrl-C; its standard error."""
    emulator.process.send_signal(signal.SIGINT)
    _, err = emulator.process.communicate(timeout=10)
    assert emulator.process.returncode == 0, err
    assert "Traceback" not in err
    return err


posix_only = pytest.mark.skipif(os.name != "posix", reason="POSIX signals")


# --------------------------------------------------------------------------- ports


@pytest.mark.parametrize("port", ["99999", "65536", "-5"])
def test_a_port_outside_0_to_65535_is_a_usage_error(port: str) -> None:
    # In a child process with a timeout: a port that is accepted would serve forever.
    result = subprocess.run(_command("--port", port), capture_output=True, text=True, timeout=30)
    assert result.returncode == 2, result.stderr
    assert "Invalid value for '--port'" in result.stderr
    assert "Traceback" not in result.stderr and result.stdout == ""


def test_a_port_in_use_is_one_line_on_stderr_and_exit_2() -> None:
    with socket.socket() as busy:
        busy.bind(("127.0.0.1", 0))
        busy.listen(1)
        port = busy.getsockname()[1]
        result = subprocess.run(
            _command("--port", str(port)), capture_output=True, text=True, timeout=30
        )
    assert result.returncode == 2
    assert result.stderr == (
        f"port {port} on 127.0.0.1 is already in use; pick another with --port,"
        " or --port 0 for a free one\n"
    )
    assert result.stdout == ""


@posix_only
def test_port_0_prints_the_real_port_and_serves_there() -> None:
    with emulate("--port", "0") as emulator:
        assert emulator.banner[0].startswith("ucxml emulators listening on http://127.0.0.1:")
        port = int(emulator.url.rsplit(":", 1)[1])
        assert 0 < port <= 65535
        with CmeClient(emulator.url, username=DEMO_USER, password=DEMO_PASSWORD) as cme:
            assert cme.get_global().name == "CME-Demo"
        _stop(emulator)


@pytest.mark.parametrize("release", ["2008", "12.x"])
def test_cme_release_picks_the_dialect_of_the_answers(release: str) -> None:
    with emulate("--port", "0", "--cme-release", release) as emulator:
        answer = httpx.post(
            emulator.url + CME_PATH,
            content=b"<request><ISgetGlobal/></request>",  # a bare 12.x request
            auth=(DEMO_USER, DEMO_PASSWORD),
            headers={"Content-Type": "text/xml"},
        )
        assert answer.status_code == 200
        bare = answer.content.startswith(b'<?xml version="1.0" encoding="UTF-8"?>\n<response>')
        assert bare == (release == "12.x"), answer.content[:200]
        assert (b"SOAP-ENV:Envelope" in answer.content) == (release == "2008")
        with CmeClient(emulator.url, username=DEMO_USER, password=DEMO_PASSWORD) as cme:
            assert cme.get_global().release == release
        _stop(emulator)


def test_an_unknown_cme_release_is_a_usage_error() -> None:
    result = CliRunner().invoke(cli, ["emulate", "--cme-release", "9"])
    assert result.exit_code == 2
    assert "'2008', '12.x'" in result.output


# --------------------------------------------------------------------------- --help


def test_help_lists_every_path_account_and_fault_switch() -> None:
    result = CliRunner().invoke(cli, ["emulate", "--help"], terminal_width=200)
    assert result.exit_code == 0
    text = result.output
    for path in (CME_PATH, *EM_PATHS, HUAWEI_PATH, CUP_PATH):
        assert path in text, path
    assert f"HTTP Basic {DEMO_USER} / {DEMO_PASSWORD}" in text
    assert f"{DEMO_EM_APP_ID} / {DEMO_EM_APP_CERTIFICATE}" in text
    for name, password in DEMO_CUP_USERS:  # soapuser1 .. soapuser5, xmzhou
        assert f"{name} / {password}" in text
    assert f"agent {DEMO_AGENT_ID} / {DEMO_AGENT_PASSWORD}" in text
    for switch in (
        "delay",
        "status",
        "drop",
        "truncate",
        "garbage",
        "html",
        "no_xml",
        "content_type",
        "busy",
        "database_down",
        "expire_sessions",
        "fail_times",
    ):
        assert re.search(rf"\b{switch}\b", text), switch
    for attribute in ("em_faults", "cup_faults", "state.<api>_faults"):
        assert attribute in text


@posix_only
def test_the_banner_and_help_come_from_the_same_description() -> None:
    help_text = CliRunner().invoke(cli, ["emulate", "--help"], terminal_width=400).output
    with emulate("--port", "0") as emulator:
        banner = emulator.banner
        _stop(emulator)
    described = [line.strip() for line in banner[1:-1]]
    for line in described:
        assert line.removeprefix(emulator.url) in help_text, line
    assert f"{emulator.url}{CME_PATH}" in described
    assert f"agent {DEMO_AGENT_ID} / {DEMO_AGENT_PASSWORD}, phone {DEMO_PHONE}" in described


# --------------------------------------------------------------------------- --tls


@posix_only
def test_tls_serves_https_that_the_printed_certificate_trusts() -> None:
    with emulate("--port", "0", "--tls") as emulator:
        assert emulator.url.startswith("https://127.0.0.1:")
        cert = emulator.certificate
        assert cert.is_file()
        assert f'ca_bundle="{cert}"' in "\n".join(emulator.banner)
        with CmeClient(
            emulator.url, username=DEMO_USER, password=DEMO_PASSWORD, ca_bundle=cert
        ) as cme:
            assert cme.get_global().name == "CME-Demo"
        with (
            pytest.raises(TlsVerificationError),
            CmeClient(emulator.url, username=DEMO_USER, password=DEMO_PASSWORD) as cme,
        ):
            cme.get_global()
        # localhost is named in the certificate too
        local = emulator.url.replace("127.0.0.1", "localhost")
        trusted = ssl.create_default_context(cafile=str(cert))
        answer = httpx.get(local + CUP_PATH + "?wsdl", verify=trusted, timeout=10)
        assert answer.status_code == 200
        _stop(emulator)
    assert not cert.exists()  # the temporary folder is removed on exit


@posix_only
def test_tls_dir_keeps_the_certificate_and_reuses_it(tmp_path: Path) -> None:
    folder = tmp_path / "tls"
    with emulate("--port", "0", "--tls-dir", str(folder)) as emulator:
        cert = emulator.certificate
        assert cert.parent == folder
        first = cert.read_bytes()
        keys = [p for p in folder.iterdir() if p != cert]
        assert len(keys) == 1 and stat.S_IMODE(keys[0].stat().st_mode) == 0o600
        with EmClient(
            emulator.url,
            app_id=DEMO_EM_APP_ID,
            app_certificate=DEMO_EM_APP_CERTIFICATE,
            ca_bundle=cert,
        ) as em:
            assert em.check_user("jdoe")
        _stop(emulator)
    assert cert.read_bytes() == first
    with emulate("--port", "0", "--tls-dir", str(folder)) as again:
        assert again.certificate == cert
        _stop(again)
    assert cert.read_bytes() == first  # trusted once, still trusted


def test_the_certificate_names_the_host_and_loopback(tmp_path: Path) -> None:
    from cryptography import x509

    from ucxml.emulator.tls import self_signed_certificate

    files = self_signed_certificate(tmp_path, "emulator.example")
    cert = x509.load_pem_x509_certificate(files.certfile.read_bytes())
    common = cert.subject.get_attributes_for_oid(x509.oid.NameOID.COMMON_NAME)
    assert common[0].value == "emulator.example"
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert set(san.get_values_for_type(x509.DNSName)) == {"emulator.example", "localhost"}
    assert {str(a) for a in san.get_values_for_type(x509.IPAddress)} == {"127.0.0.1", "::1"}
    assert self_signed_certificate(tmp_path, "emulator.example").created is False
    assert self_signed_certificate(tmp_path, "other.example").created is True


def test_a_wildcard_host_certificate_names_the_machine(tmp_path: Path) -> None:
    from cryptography import x509

    from ucxml.emulator.tls import self_signed_certificate

    files = self_signed_certificate(tmp_path, "0.0.0.0")
    cert = x509.load_pem_x509_certificate(files.certfile.read_bytes())
    san = cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    assert socket.gethostname() in san.get_values_for_type(x509.DNSName)


# --------------------------------------------------------------------------- --log-requests


@posix_only
def test_log_requests_logs_each_request_and_no_secret() -> None:
    secret_query = "password=query-secret-77&xml=%3Cquery%3Eapp-secret-88"
    with emulate("--port", "0", "--log-requests") as emulator:
        url = emulator.url
        with CmeClient(url, username=DEMO_USER, password=DEMO_PASSWORD) as cme:
            cme.get_global()
        with EmClient(url, app_id=DEMO_EM_APP_ID, app_certificate=DEMO_EM_APP_CERTIFICATE) as em:
            em.check_user("jdoe")
        with AgentGatewayClient(url) as gateway:
            gateway.sign_in(DEMO_AGENT_ID, DEMO_PHONE, password=DEMO_AGENT_PASSWORD)
            guid = gateway.guid
            gateway.force_logout_with_reason(agent_id=DEMO_AGENT_ID, reason=7)
        httpx.get(
            f"{url}{EM_PATHS[2]}?{secret_query}",
            headers={"Cookie": "JSESSIONID=cookie-secret-99"},
            timeout=10,
        )
        httpx.get(f"{url}/no/such/path", timeout=10)
        err = _stop(emulator)
    lines = err.splitlines()
    pattern = r"(GET|POST|PUT|DELETE) (\S+) (\d{3}|-) \d+\.\d ms"
    logged = [re.fullmatch(pattern, line) for line in lines]
    assert all(logged), lines
    requests = [(m.group(1), m.group(2), m.group(3)) for m in logged if m]
    assert ("POST", CME_PATH, "200") in requests
    assert ("POST", EM_PATHS[0], "200") in requests
    assert ("PUT", f"{HUAWEI_PATH}/{DEMO_AGENT_ID}", "200") in requests
    assert ("DELETE", f"{HUAWEI_PATH}/{DEMO_AGENT_ID}/forcelogoutwithreason/7", "200") in requests
    assert any(m == "GET" and p == f"{EM_PATHS[2]}?…" for m, p, _ in requests)
    assert ("GET", "/no/such/path", "404") in requests
    assert guid
    for secret in (
        DEMO_PASSWORD,
        "YWRtaW46YWRtaW4",  # base64 of admin:admin, the Authorization header
        DEMO_EM_APP_CERTIFICATE,
        DEMO_AGENT_PASSWORD,
        guid,
        "query-secret-77",
        "app-secret-88",
        "cookie-secret-99",
        "password=",
        "xml=",
    ):
        assert secret not in err, secret


@posix_only
def test_without_log_requests_nothing_is_logged() -> None:
    with emulate("--port", "0") as emulator:
        httpx.get(f"{emulator.url}/no/such/path", timeout=10)
        err = _stop(emulator)
    assert "/no/such/path" not in err
