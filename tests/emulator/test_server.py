"""Running emulator apps over real HTTP: :class:`EmulatorServer` and :func:`serve`."""

from __future__ import annotations

import os
import re
import signal
import subprocess
import sys
import textwrap
import threading

import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

import ucxml.emulator
from ucxml import serialize, validate
from ucxml.emulator import (
    CME_PATH,
    DEMO_PASSWORD,
    DEMO_USER,
    EmulatorServer,
    create_app,
)
from ucxml.emulator.faults import Faults
from ucxml.emulator.server import DEFAULT_HOST, AccessLog, PortInUseError
from ucxml.generated.cme import models as m


async def _ping(request: Request) -> PlainTextResponse:
    return PlainTextResponse(f"pong {threading.current_thread().name}")


def ping_app() -> Starlette:
    return Starlette(routes=[Route("/ping", _ping)])


def test_start_serve_and_stop_on_a_free_port() -> None:
    server = EmulatorServer(ping_app())
    assert not server.running
    with pytest.raises(RuntimeError):
        _ = server.base_url
    with server as running:
        assert running is server
        assert server.running
        assert server.port > 0
        assert server.base_url == f"http://127.0.0.1:{server.port}"
        response = httpx.get(server.base_url + "/ping")
        assert response.status_code == 200
        assert response.text.startswith("pong")
        url = server.base_url
    assert not server.running
    with pytest.raises(httpx.ConnectError):
        httpx.get(url + "/ping", timeout=1.0)


def test_two_servers_at_once_get_different_ports() -> None:
    with EmulatorServer(ping_app()) as one, EmulatorServer(ping_app()) as two:
        assert one.port != two.port
        assert httpx.get(one.base_url + "/ping").status_code == 200
        assert httpx.get(two.base_url + "/ping").status_code == 200


def test_a_server_can_be_restarted_and_a_fixed_port_reused() -> None:
    server = EmulatorServer(ping_app())
    with server:
        port = server.port
    with EmulatorServer(ping_app(), port=port) as again:
        assert again.port == port
        assert httpx.get(again.base_url + "/ping").status_code == 200
    with server:
        assert httpx.get(server.base_url + "/ping").status_code == 200


def test_starting_twice_is_an_error() -> None:
    with EmulatorServer(ping_app()) as server, pytest.raises(RuntimeError):
        server.start()


def test_a_busy_port_is_reported() -> None:
    with EmulatorServer(ping_app()) as server:
        with pytest.raises(OSError):
            EmulatorServer(ping_app(), port=server.port).start()
        assert httpx.get(server.base_url + "/ping").status_code == 200


def test_a_busy_port_is_a_port_in_use_error_naming_host_and_port() -> None:
    import errno

    with EmulatorServer(ping_app()) as server:
        with pytest.raises(PortInUseError) as caught:
            EmulatorServer(ping_app(), port=server.port).start()
        assert str(caught.value) == f"port {server.port} on 127.0.0.1 is already in use"
        assert caught.value.errno == errno.EADDRINUSE and caught.value.port == server.port
        with pytest.raises(PortInUseError):
            ucxml.emulator.serve(ping_app(), port=server.port)


@pytest.mark.parametrize("port", [-5, 65536, 99999])
def test_ports_outside_0_to_65535_are_refused(port: int) -> None:
    with pytest.raises(ValueError, match="0-65535"):
        EmulatorServer(ping_app(), port=port)
    with pytest.raises(ValueError, match="0-65535"):
        ucxml.emulator.serve(ping_app(), port=port)


def test_access_log_has_method_path_status_and_time_only() -> None:
    lines: list[str] = []
    app = create_app()
    faults: Faults = app.state.cme_faults
    with EmulatorServer(AccessLog(app, lines.append)) as server:
        body = serialize(m.ISgetGlobal(get_global=m.NoParams()))
        answer = httpx.post(
            server.base_url + CME_PATH + "?password=in-the-query",
            content=body,
            headers={"Cookie": "session=cookie-value", "Guid": "guid-value"},
            auth=(DEMO_USER, DEMO_PASSWORD),
        )
        assert answer.status_code == 200
        httpx.get(server.base_url + "/missing%20path/x", timeout=5)
        faults.drop = True
        with pytest.raises(httpx.TransportError):
            httpx.post(server.base_url + CME_PATH, content=body, timeout=5)
    assert len(lines) == 3, lines
    assert re.fullmatch(r"POST /ios_xml_app/cme\?… 200 \d+\.\d ms", lines[0]), lines[0]
    assert re.fullmatch(r"GET /missing%20path/x 404 \d+\.\d ms", lines[1]), lines[1]
    assert re.fullmatch(r"POST /ios_xml_app/cme - \d+\.\d ms", lines[2]), lines[2]
    text = "\n".join(lines)
    for secret in ("in-the-query", "cookie-value", "guid-value", DEMO_PASSWORD, "ISgetGlobal"):
        assert secret not in text


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_serve_calls_ready_once_ctrl_c_is_handled() -> None:
    # A Ctrl-C right after the banner stops the server cleanly (no KeyboardInterrupt).
    script = textwrap.dedent(
        """
        import os, signal
        from ucxml.emulator import create_app, serve
        serve(create_app(), port=0, ready=lambda url: os.kill(os.getpid(), signal.SIGINT))
        print("stopped", flush=True)
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], capture_output=True, text=True, timeout=30
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "stopped"
    assert "Traceback" not in result.stderr


def test_the_demo_app_over_http() -> None:
    with EmulatorServer(create_app()) as server:
        body = serialize(m.ISgetGlobal(get_global=m.NoParams()))
        response = httpx.post(
            server.base_url + CME_PATH,
            content=body,
            headers={"Content-Type": "text/xml"},
            auth=(DEMO_USER, DEMO_PASSWORD),
        )
        assert response.status_code == 200
        assert validate(response.content).valid
        assert b"<ISName>CME-Demo</ISName>" in response.content


@pytest.mark.parametrize("host", ["0.0.0.0", "192.0.2.10", "example.com", "::"])
def test_non_loopback_hosts_are_refused(host: str) -> None:
    with pytest.raises(ValueError, match="allow_remote"):
        EmulatorServer(ping_app(), host=host)


@pytest.mark.parametrize("host", ["127.0.0.1", "localhost", "127.0.0.2", "::1", "[::1]"])
def test_loopback_hosts_are_accepted(host: str) -> None:
    server = EmulatorServer(ping_app(), host=host)
    assert server.host in ("127.0.0.1", "127.0.0.2", "::1")


def test_allow_remote_accepts_any_host() -> None:
    server = EmulatorServer(ping_app(), host="0.0.0.0", allow_remote=True)
    assert server.host == "0.0.0.0"


def test_default_host_is_loopback() -> None:
    assert DEFAULT_HOST == "127.0.0.1"


def test_serve_runs_in_the_foreground_until_interrupted() -> None:
    script = textwrap.dedent(
        """
        from ucxml.emulator import create_app, serve
        serve(create_app(), port=0, ready=lambda url: print(url, flush=True))
        print("stopped", flush=True)
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        assert process.stdout is not None
        url = process.stdout.readline().strip()
        assert url.startswith("http://127.0.0.1:")
        body = serialize(m.ISgetEvtCounts(get_evt_counts=m.NoParams()))
        response = httpx.post(
            url + CME_PATH, content=body, auth=(DEMO_USER, DEMO_PASSWORD), timeout=5.0
        )
        assert response.status_code == 200
        assert validate(response.content).valid
        process.send_signal(signal.SIGINT)
        out, err = process.communicate(timeout=10)
    finally:
        if process.poll() is None:
            process.kill()
            process.wait()
    assert process.returncode == 0, err
    assert out.strip() == "stopped"
    assert "Traceback" not in err


def test_serve_refuses_non_loopback_hosts() -> None:
    with pytest.raises(ValueError, match="allow_remote"):
        ucxml.emulator.serve(ping_app(), host="0.0.0.0")


def test_public_names() -> None:
    import inspect

    exported = set(ucxml.emulator.__all__)
    for name in exported:
        assert getattr(ucxml.emulator, name) is not None
    public = {
        n
        for n, v in vars(ucxml.emulator).items()
        if not n.startswith("_") and not inspect.ismodule(v) and n != "annotations"
    }
    assert public == exported
    assert {"EmulatorServer", "create_app", "serve", "CmeRouter", "EmService"} <= exported


@pytest.mark.skipif(os.name != "posix", reason="POSIX signals")
def test_stop_is_bounded_with_a_request_in_flight() -> None:
    import asyncio
    import time

    async def slow(request: Request) -> PlainTextResponse:
        await asyncio.sleep(30)
        return PlainTextResponse("late")

    app = Starlette(routes=[Route("/slow", slow)])
    server = EmulatorServer(app).start()
    with pytest.raises(httpx.ReadTimeout):
        httpx.get(server.base_url + "/slow", timeout=0.2)
    started = time.monotonic()
    server.stop()
    assert time.monotonic() - started < 5
    assert not server.running


def test_a_broken_chunked_body_without_credentials_is_not_answered_twice() -> None:
    """The CME route reads the body before judging the credentials: answering 401 first
    left the broken chunked body to uvicorn, whose own 400 then made the 401 fail
    ("Exception in ASGI application")."""
    import logging
    import socket
    import time

    from ucxml.emulator.app import create_app

    records: list[logging.LogRecord] = []

    class Keep(logging.Handler):
        def emit(self, record: logging.LogRecord) -> None:
            records.append(record)

    keep = Keep()
    logger = logging.getLogger("uvicorn.error")
    logger.addHandler(keep)
    try:
        with EmulatorServer(create_app()) as server:
            host, port = server.base_url.split("//")[1].split(":")
            with socket.create_connection((host, int(port)), timeout=5) as raw:
                raw.sendall(
                    b"POST /ios_xml_app/cme HTTP/1.1\r\nHost: router\r\n"
                    b"Transfer-Encoding: chunked\r\nContent-Type: text/xml\r\n\r\nZZZ\r\nbroken\r\n"
                )
                answer = raw.recv(4096)
            time.sleep(0.3)  # the server's task ends after the answer
    finally:
        logger.removeHandler(keep)
    assert answer.startswith(b"HTTP/1.1 400 "), answer[:80]
    assert not [r for r in records if r.exc_info], [r.getMessage() for r in records]
