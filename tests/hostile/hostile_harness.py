"""The machinery of the hostile-input tests: watchers, limits and the nine entry points.

- :class:`Listener`: a TCP server on a loopback port that records every connection
  (attacks point their URLs at it; a connection means ucxml fetched something).
- :class:`AuditLog`: a ``sys.addaudithook`` recorder of Python-level file opens under the
  canary folder and of socket connections / name look-ups, active only inside a call.
- :class:`FifoCanary`: a named pipe that records each time anything opens it (libxml2's
  own file reads are invisible to Python's audit hooks) and then serves the canary text.
- :class:`Limits`: a deadline (SIGALRM raises :class:`TimeLimitExceeded` in the main
  thread, which also interrupts a backtracking regular expression) and a memory budget
  (RSS sampled every 2 ms; past it, :class:`MemoryBudgetExceeded`).
- :func:`call_entry`: runs one payload through one entry point and returns an
  :class:`Outcome` (what it returned or raised, how long it took, how much memory it grew).
  The emulators run under starlette's ``TestClient`` in a forked child, so that a request
  that never ends (the app runs in a worker thread no signal reaches) can be killed.
"""

from __future__ import annotations

import base64
import contextlib
import ctypes
import gc
import os
import pickle
import select
import signal
import socket
import stat
import sys
import threading
import time
import traceback
import warnings
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from types import FrameType
from typing import Any

from starlette.testclient import TestClient

import ucxml
from ucxml import Report, validate_capture
from ucxml.cme import CmeClient
from ucxml.cup import CupClient
from ucxml.em import EmClient
from ucxml.emulator.app import DEMO_PASSWORD, DEMO_USER, create_app
from ucxml.errors import MalformedResponseError, UcxmlError
from ucxml.transport import HttpRequest, HttpResponse, MockTransport

ENTRY_POINTS = (
    "parse",
    "validate",
    "validate_em",
    "validate_capture",
    "cme_client",
    "cup_client",
    "em_client",
    "cme_emulator",
    "em_emulator",
    "cup_emulator",
)
"""Every way a hostile payload reaches ucxml (see ``README.md``)."""

#: The API whose valid message each entry point would accept (the base of the grafts).
BASE_OF = {
    "parse": "cme-response",
    "validate": "cme-response",
    "validate_em": "em-response",
    "validate_capture": "cme-response",
    "cme_client": "cme-response",
    "cup_client": "cup-response",
    "em_client": "em-response",
    "cme_emulator": "cme-request",
    "em_emulator": "em-request",
    "cup_emulator": "cup-request",
}

EMULATOR_PATHS = {
    "cme_emulator": "/ios_xml_app/cme",
    "em_emulator": "/emservice/EMServiceServlet",
    "cup_emulator": "/EPASSoap/service",
}

_MB = 1024 * 1024


# --------------------------------------------------------------------------- time and memory


class TimeLimitExceeded(BaseException):
    """The call ran past its deadline (a BaseException: no ``except Exception`` eats it)."""


class MemoryBudgetExceeded(BaseException):
    """The resident set grew past the budget while the call ran."""


def rss_mb() -> float:
    """Current resident set size of this process (MB); 0 where /proc is missing."""
    try:
        with open("/proc/self/statm", "rb") as statm:
            pages = int(statm.read().split()[1])
    except OSError:  # pragma: no cover - not Linux
        return 0.0
    return pages * os.sysconf("SC_PAGE_SIZE") / _MB


def release_free_memory() -> None:
    """Give freed heap memory back to the system, so RSS growth measures this call only."""
    gc.collect()
    with contextlib.suppress(OSError, AttributeError):  # not glibc: growth is rougher
        ctypes.CDLL("libc.so.6").malloc_trim(0)


def guarded(work: Callable[[], Any]) -> Any:
    """Run ``work``: the only frame in which :class:`Limits` raises."""
    return work()


_GUARDED_CODE = guarded.__code__


class Limits:
    """A deadline and a memory budget on :func:`guarded` calls, enforced in the main thread.

    SIGALRM fires at the deadline, then every 50 ms; a sampler thread reads the resident
    set size every 2 ms and, past ``budget_mb`` of growth, fires it at once. The handler raises
    :class:`TimeLimitExceeded` or :class:`MemoryBudgetExceeded`, which also interrupts a
    regular expression (``re`` checks signals while it backtracks). ``growth_mb`` is the
    peak growth seen.
    """

    def __init__(self, seconds: float, budget_mb: float | None = None) -> None:
        self.seconds = seconds
        self.budget_mb = budget_mb
        self.baseline = 0.0
        self.peak = 0.0
        self._reason: BaseException = TimeLimitExceeded(f"still running after {seconds:g} s")
        self._armed = False
        self._done = False
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._sample, daemon=True)
        self._previous: Any = None

    @property
    def growth_mb(self) -> float:
        return max(0.0, self.peak - self.baseline)

    def _sample(self) -> None:
        while not self._stop.is_set():
            now = rss_mb()
            self.peak = max(self.peak, now)
            if self._armed and self.budget_mb is not None and now - self.baseline > self.budget_mb:
                self._armed = False
                self._reason = MemoryBudgetExceeded(
                    f"memory grew by {now - self.baseline:.0f} MB (budget {self.budget_mb:g} MB)"
                )
                signal.setitimer(signal.ITIMER_REAL, 0.001, 0.05)
            time.sleep(0.002)

    def _on_alarm(self, signum: int, frame: FrameType | None) -> None:
        # Raise only inside guarded(): never in the cleanup around it, wherever a tick lands.
        while frame is not None:
            if frame.f_code is _GUARDED_CODE:
                if not self._done:
                    raise self._reason
                return
            frame = frame.f_back

    def __enter__(self) -> Limits:
        assert threading.current_thread() is threading.main_thread()
        if self.budget_mb is not None:
            release_free_memory()
        self._previous = signal.signal(signal.SIGALRM, self._on_alarm)
        self.baseline = self.peak = rss_mb()
        self._armed = True
        self._thread.start()
        # Repeating: a raise that lands in a finalizer is swallowed ("Exception ignored"),
        # the next tick raises again.
        signal.setitimer(signal.ITIMER_REAL, self.seconds, 0.05)
        return self

    def __exit__(self, *exc: object) -> None:
        self._done = True  # from here on a tick is harmless
        self._armed = False
        self._stop.set()
        self._thread.join()
        signal.setitimer(signal.ITIMER_REAL, 0)  # after the join: the sampler may re-arm
        signal.signal(signal.SIGALRM, self._previous)
        self.peak = max(self.peak, rss_mb())


# --------------------------------------------------------------------------- watchers


class Listener:
    """A TCP server on 127.0.0.1 that records (and closes) every connection made to it."""

    def __init__(self) -> None:
        self._server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        self._server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._server.bind(("127.0.0.1", 0))
        self._server.listen(16)
        self.port = self._server.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.connections: list[tuple[str, int]] = []
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    def _serve(self) -> None:
        while True:
            try:
                conn, peer = self._server.accept()
            except OSError:
                return
            self.connections.append(peer)
            with contextlib.suppress(OSError):
                conn.settimeout(0.2)
                conn.recv(4096)
                conn.sendall(b"HTTP/1.0 200 OK\r\nContent-Type: text/plain\r\n\r\nLOOPBACK-ANSWER")
            conn.close()

    def close(self) -> None:
        self._server.close()


class AuditLog:
    """Python-level file opens under ``watched`` and network calls, while active."""

    _installed: AuditLog | None = None
    _NETWORK = frozenset({"socket.connect", "socket.getaddrinfo", "socket.gethostbyname"})

    def __init__(self) -> None:
        self.watched: tuple[str, ...] = ()
        self.active = False
        self.events: list[tuple[str, str]] = []

    @classmethod
    def install(cls) -> AuditLog:
        """The process-wide log (an audit hook cannot be removed: one is installed once)."""
        if cls._installed is None:
            log = cls()
            sys.addaudithook(log._hook)
            cls._installed = log
        return cls._installed

    def _hook(self, event: str, args: tuple[Any, ...]) -> None:
        if not self.active or threading.current_thread().name == FifoCanary.THREAD_NAME:
            return
        if event == "open" and args and isinstance(args[0], str | bytes | os.PathLike):
            path = os.fsdecode(args[0])
            if any(path.startswith(w) for w in self.watched):
                self.events.append((event, path))
        elif event == "urllib.Request" and args:
            # xmlschema loads the project's own schema files through urllib (file:// URLs).
            url = str(args[0])
            if not url.startswith("file://") or any(w in url for w in self.watched):
                self.events.append((event, url[:200]))
        elif event in self._NETWORK:
            self.events.append((event, repr(args)[:200]))

    @contextlib.contextmanager
    def recording(self) -> Iterator[list[tuple[str, str]]]:
        """Record into a fresh list while the block runs."""
        self.events = []
        self.active = True
        try:
            yield self.events
        finally:
            self.active = False


class FifoCanary:
    """A named pipe that counts how often it is opened; each opener reads ``text``.

    Opening a FIFO for reading blocks until a writer comes: the watcher thread polls with a
    non-blocking writer open, which succeeds exactly when a reader has it open, counts it,
    writes the canary text and closes (the reader sees end of file).
    """

    THREAD_NAME = "hostile-fifo-watcher"  # its own opens are not the reader's

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.text = text.encode()
        os.mkfifo(path)
        assert stat.S_ISFIFO(os.stat(path).st_mode)
        self.opens = 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._watch, name=self.THREAD_NAME, daemon=True)
        self._thread.start()

    def _watch(self) -> None:
        while not self._stop.is_set():
            try:
                fd = os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError:  # ENXIO: nobody is reading
                time.sleep(0.001)
                continue
            self.opens += 1
            with contextlib.suppress(OSError):
                os.write(fd, self.text)
            os.close(fd)
            time.sleep(0.005)  # let the reader see end of file before polling again

    def close(self) -> None:
        self._stop.set()
        self._thread.join()


# --------------------------------------------------------------------------- outcomes


@dataclass
class Outcome:
    """What one entry point did with one payload."""

    entry: str
    seconds: float
    growth_mb: float = 0.0
    error: BaseException | None = None
    error_type: str = ""
    error_text: str = ""
    result: Any = None
    status: int | None = None
    content_type: str = ""
    body: bytes = b""
    requests: int = 0
    audit: list[tuple[str, str]] = field(default_factory=list)
    #: Python warnings (``DeviationWarning``...) raised during the call.
    warnings: int = 0

    def texts(self) -> list[str]:
        """Every text a user could see: messages, reprs, answers, exception chain."""
        out = [self.error_text, repr(self.result), self.body.decode("utf-8", "replace")]
        if isinstance(self.result, list):
            out += [repr(r) for r in self.result]
        exc = self.error
        while exc is not None:
            out += [str(exc), repr(exc), "".join(traceback.format_exception_only(exc))]
            exc = exc.__cause__ or exc.__context__
        return out

    def describe(self) -> str:
        if self.status is not None:
            return f"HTTP {self.status} {self.content_type}: {self.body[:300]!r}"
        if self.error is not None or self.error_type:
            return f"{self.error_type}: {self.error_text[:300]}"
        return f"returned {self.result!r}"[:400]


def _answer(data: bytes, content_type: str) -> Callable[[HttpRequest], HttpResponse]:
    return lambda _request: HttpResponse(200, data, {"content-type": content_type})


def _run_client(entry: str, data: bytes, outcome: Outcome) -> Any:
    """Call one operation of ``entry``'s client, answered 200 with ``data``."""
    content_type = "application/soap+xml" if entry == "cup_client" else "text/xml"
    transport = MockTransport(_answer(data, content_type))
    try:
        if entry == "cme_client":
            with CmeClient(
                "http://router", username="admin", password="x", transport=transport
            ) as cme:
                return cme.get_user("peter")
        if entry == "cup_client":
            cup = CupClient("https://cup:8443", username="jdoe", password="x", transport=transport)
            try:
                return cup.login()
            finally:
                cup.close()
        with EmClient(
            "https://ucm:8443", app_id="emapp", app_certificate="x", transport=transport
        ) as em:
            return em.login("SEP0011223344AA", "jdoe")
    finally:
        outcome.requests = len(transport.requests)


def _post(entry: str, data: bytes) -> tuple[int, str, bytes]:
    """POST ``data`` to one emulator path over starlette's TestClient (fresh app)."""
    headers: dict[str, str]
    if entry == "cme_emulator":
        token = base64.b64encode(f"{DEMO_USER}:{DEMO_PASSWORD}".encode()).decode()
        headers = {"Authorization": f"Basic {token}", "Content-Type": "text/xml; charset=utf-8"}
        body = data
    elif entry == "em_emulator":
        headers = {"Content-Type": "application/x-www-form-urlencoded"}
        body = b"xml=" + _form_quote(data)
    else:
        headers = {"Content-Type": 'application/soap+xml; charset=utf-8; action="login"'}
        body = data
    with TestClient(create_app()) as client:
        answer = client.post(EMULATOR_PATHS[entry], content=body, headers=headers)
    return answer.status_code, answer.headers.get("content-type", ""), answer.content


def _form_quote(data: bytes) -> bytes:
    """URL-encode a form value; past 2 MB (refused by size anyway) only ``%`` ``&`` ``+``."""
    if len(data) > 2 * _MB:
        return data.replace(b"%", b"%25").replace(b"&", b"%26").replace(b"+", b"%2B")
    from urllib.parse import quote_from_bytes

    return quote_from_bytes(data, safe="").encode("ascii")


_warm: set[str] = set()


def _warm_up(entry: str) -> None:
    """Post the untouched base once in this process: the forked children then inherit the
    imports and the compiled schemas instead of loading them each time."""
    if entry not in _warm:
        from hostile_corpus import base

        _post(entry, base(BASE_OF[entry]))
        _warm.add(entry)


def _emulator_in_child(
    entry: str, data: bytes, seconds: float, audit: AuditLog | None = None
) -> Outcome:
    """Run :func:`_post` in a forked child; kill it at the deadline.

    The child inherits the audit hook: what it records comes back with the answer.
    """
    _warm_up(entry)
    read_end, write_end = os.pipe()
    started = time.perf_counter()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.close(read_end)
        recorder = audit.recording() if audit is not None else contextlib.nullcontext([])
        message: dict[str, Any]
        with recorder as events:
            try:
                status, ctype, body = _post(entry, data)
                message = {"status": status, "ctype": ctype, "body": body}
            except BaseException as exc:
                text = "".join(traceback.format_exception(exc))
                message = {"error": type(exc).__name__, "text": text}
        message["audit"] = list(events)
        with os.fdopen(write_end, "wb") as pipe:
            pickle.dump(message, pipe)
        os._exit(0)
    os.close(write_end)
    chunks: list[bytes] = []
    timed_out = False
    end = started + seconds
    with os.fdopen(read_end, "rb") as pipe:
        while True:
            left = end - time.perf_counter()
            if left <= 0:
                timed_out = True
                break
            ready, _, _ = select.select([pipe], [], [], left)
            if not ready:
                continue
            chunk = os.read(pipe.fileno(), 1 << 20)
            if not chunk:
                break
            chunks.append(chunk)
    if timed_out:
        os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)
    elapsed = time.perf_counter() - started
    if timed_out:
        exc = TimeLimitExceeded(f"the emulator still had not answered after {seconds:g} s")
        return Outcome(
            entry, elapsed, error=exc, error_type="TimeLimitExceeded", error_text=str(exc)
        )
    message = pickle.loads(b"".join(chunks))
    if "error" in message:
        return Outcome(
            entry,
            elapsed,
            error_type=message["error"],
            error_text=message["text"],
            audit=message["audit"],
        )
    return Outcome(
        entry,
        elapsed,
        status=message["status"],
        content_type=message["ctype"],
        body=message["body"],
        audit=message["audit"],
    )


def call_entry(
    entry: str,
    data: bytes,
    *,
    seconds: float,
    memory_budget_mb: float | None = None,
    audit: AuditLog | None = None,
) -> Outcome:
    """Feed ``data`` to ``entry`` under a deadline (and a memory budget); never raises."""
    if entry in EMULATOR_PATHS:
        return _emulator_in_child(entry, data, seconds, audit)
    limits = Limits(seconds, memory_budget_mb)
    recorder = audit.recording() if audit is not None else contextlib.nullcontext([])
    outcome = Outcome(entry, 0.0)
    started = time.perf_counter()
    with recorder as events, warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            with limits:
                if entry == "parse":
                    outcome.result = guarded(lambda: ucxml.parse(data))
                elif entry in ("validate", "validate_em"):
                    outcome.result = guarded(lambda: ucxml.validate(data))
                elif entry == "validate_capture":
                    outcome.result = guarded(lambda: validate_capture(data))
                else:
                    outcome.result = guarded(lambda: _run_client(entry, data, outcome))
        except BaseException as exc:
            if isinstance(exc, KeyboardInterrupt):
                raise
            outcome.error = exc
            outcome.error_type = type(exc).__name__
            outcome.error_text = str(exc)
    outcome.seconds = time.perf_counter() - started
    outcome.growth_mb = limits.growth_mb
    outcome.audit = list(events)
    outcome.warnings = len(caught)
    return outcome


#: The API each entry point reads (its base's API).
API_OF = {entry: base.split("-", 1)[0] for entry, base in BASE_OF.items()}


def tolerates_doctype(attack_id: str, entry: str) -> bool:
    """Whether ``entry`` reads the DOCTYPE of ``attack_id`` (one naming only an external
    DTD, in any encoding) with a warning instead of refusing it: its API's manifest
    switches ``external-doctype`` on (EM, whose CUCM traces log one)."""
    from ucxml._registry import binding

    external = attack_id.startswith(
        ("external-dtd-url", "external-dtd-file", "external-dtd-public")
    )
    return external and "external-doctype" in binding(API_OF[entry]).info.tolerances


#: Attacks that are only content no schema knows (an element or attributes, never
#: processed): an API with the ``unknown`` tolerance reads them, keeps them and warns.
UNKNOWN_CONTENT = frozenset(
    {
        "xinclude-local-file",
        "xinclude-loopback-url",
        "schema-location-hints",
        "many-unknown-attributes",
    }
)


def keeps_unknown(attack_id: str, entry: str) -> bool:
    """Whether ``entry`` may read ``attack_id`` as kept unknown content with a warning."""
    from ucxml._registry import binding

    base = attack_id.removesuffix("-utf8").removesuffix("-utf16-bom")
    tolerances = binding(API_OF[entry]).info.tolerances
    if base == "glued-attributes":  # separated first, then unknown attributes
        return "glued-attributes" in tolerances and "unknown" in tolerances
    return base in UNKNOWN_CONTENT and "unknown" in tolerances


def is_refusal(outcome: Outcome) -> tuple[bool, str]:
    """Whether ``outcome`` is the documented refusal of its entry point, and why not."""
    entry = outcome.entry
    if outcome.error_type in ("TimeLimitExceeded", "MemoryBudgetExceeded"):
        return False, f"{outcome.error_type}: {outcome.error_text}"
    if entry == "parse":
        return isinstance(outcome.error, UcxmlError), "expected a UcxmlError"
    if entry in ("validate", "validate_em"):
        report = outcome.result
        ok = (
            outcome.error is None
            and isinstance(report, Report)
            and not report.valid
            and any(i.severity == "error" for i in report.issues)
        )
        return ok, "expected a Report with valid False and an error issue, without raising"
    if entry == "validate_capture":
        reports = outcome.result
        ok = (
            outcome.error is None
            and isinstance(reports, list)
            and bool(reports)
            and all(isinstance(r, Report) and not r.valid for r in reports)
        )
        return ok, "expected a non-empty list of invalid Reports, without raising"
    if entry in ("cme_client", "cup_client", "em_client"):
        return (
            isinstance(outcome.error, MalformedResponseError),
            "expected MalformedResponseError",
        )
    if outcome.status is None:
        return False, f"the emulator crashed: {outcome.error_text[-800:]}"
    if outcome.status == 413:
        return True, ""
    if entry == "cme_emulator":
        ok = outcome.status == 400 and outcome.content_type.startswith("text/plain")
        return ok, "expected 400 text/plain with a one-line reason (or 413)"
    if entry == "em_emulator":
        ok = (
            outcome.status == 200
            and outcome.content_type.startswith("text/xml")
            and b'<error code="1">' in outcome.body
        )
        return ok, 'expected 200 text/xml <error code="1"> (Error on Parsing) (or 413)'
    ok = (
        outcome.status == 400
        and outcome.content_type.startswith("application/soap+xml")
        and b"Invalid request." in outcome.body
    )
    return ok, 'expected 400 env:Sender fault "Invalid request." (or 413)'
