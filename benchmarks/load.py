"""The load test: ucxml's clients against the emulators on loopback, beside zeep.

``python -m benchmarks.load`` (what ``make load`` runs) starts the emulators in a separate
process (client and server then do not share one interpreter lock), seeds them, and drives:

1. Extension Mobility: 10,000 operations from :class:`~ucxml.em.AsyncEmClient`, 100 in
   flight (a pool of 100 workers, one request each at a time). The mix: device, user,
   check-user and profile queries over hundreds of seeded users and devices (known, unknown,
   ``@`` user IDs that travel URL-encoded), logins refused with code 18 on occupied phones,
   and login / query / logout / query cycles, each worker on its own phone and user.
2. CME: 1,000 ``get_device`` calls with :class:`~ucxml.cme.CmeClient`, then 1,000 with
   :class:`~ucxml.cme.AsyncCmeClient` at 20 in flight, by MAC and by tag over 200 phones.
3. Presence EPAS: 1,000 ``get-contact-list`` with :class:`~ucxml.cup.CupClient`.

Beside zeep (when installed), one request at a time, the same requests both ways: EPAS from
its shipped WSDL; EM ``deviceUserQuery`` and CME ``get_device`` through WSDLs written here
around em.xsd and cme.xsd (:func:`zeep_wsdl`; :data:`ZEEP_NOTES` says what zeep cannot do).

Every answer is checked against the state the emulator was seeded with: a mismatch is an
answer that is not the one its request asked for. An error is an exception; a lost
response a request that never completed before the deadline. Client and emulator RSS
(psutil, when installed) are sampled during the run and read at checkpoints, so the table
shows whether memory grows with the count of operations.

Exit status: 0 when every request got its own answer and memory held; 1 otherwise; 2 on
usage errors. Throughput is reported, never gated (the machine may be shared).
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import dataclasses
import multiprocessing
import os
import random
import sys
import threading
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any, Final
from urllib.parse import quote, unquote

from ucxml.cme import AsyncCmeClient, CmeClient
from ucxml.cup import CupClient
from ucxml.em import (
    AsyncEmClient,
    DeviceLogin,
    DeviceState,
    EmClient,
    UserCheck,
    UserDevices,
    UserProfiles,
)
from ucxml.emulator.app import DEMO_PASSWORD, DEMO_USER, create_app, demo_cup_service
from ucxml.emulator.cme_state import CmeRouter
from ucxml.emulator.em_state import (
    ANOTHER_USER_LOGGED_IN,
    DEMO_EM_APP_CERTIFICATE,
    DEMO_EM_APP_ID,
    AppCredentials,
    EmFailure,
    EmService,
)
from ucxml.errors import EmError
from ucxml.generated.cme.models import DeviceStatus, ISgetDeviceResponse
from ucxml.generated.cup.models import GetContactListResp

__all__ = [
    "DEFAULT_CME_CALLS",
    "DEFAULT_CME_CONCURRENCY",
    "DEFAULT_CONCURRENCY",
    "DEFAULT_CUP_CALLS",
    "DEFAULT_EM_OPS",
    "DEFAULT_SYNC_CALLS",
    "CmePlan",
    "EmOp",
    "EmPlan",
    "EmulatorProcess",
    "LoadReport",
    "MemoryProbe",
    "WorkloadResult",
    "build_app",
    "check_cme_device",
    "check_contact_list",
    "check_em",
    "em_operations",
    "expected_contact_list",
    "format_report",
    "main",
    "run_cme_async",
    "run_cme_sync",
    "run_cup",
    "run_em",
    "run_em_sync",
    "zeep_wsdl",
]

DEFAULT_EM_OPS: Final = 10_000
DEFAULT_CONCURRENCY: Final = 100
DEFAULT_CME_CALLS: Final = 1_000
DEFAULT_CME_CONCURRENCY: Final = 20
DEFAULT_CUP_CALLS: Final = 1_000
DEFAULT_SYNC_CALLS: Final = 1_000
DEFAULT_READERS: Final = 500
DEFAULT_PHONES: Final = 200
#: Seconds a workload may run before its unfinished requests count as lost.
DEFAULT_DEADLINE: Final = 600.0
#: RSS growth (bytes) after the first checkpoint above which memory "grows with the count"
#: (when it is also more than :data:`GROWTH_FRACTION` of the RSS at that checkpoint).
GROWTH_BYTES: Final = 16 * 1024 * 1024
GROWTH_FRACTION: Final = 0.10
#: The emulator's CUP user the load logs in as (its contact list is the guide's Example 27).
CUP_USER: Final = "soapuser1"
CUP_PASSWORD: Final = "soapuser1-secret"

_MB: Final = 1024 * 1024
_SAMPLES_KEPT: Final = 5


# --------------------------------------------------------------------------- seeded state


@dataclass(frozen=True, slots=True)
class EmPlan:
    """The EM users and devices of the load, and who is logged in where at the start.

    Reader ``i`` owns read phone ``i`` and one or two device profiles; the first half of
    the readers are logged in on their phone (indefinitely) and stay so. Writer ``k`` (one
    per worker) logs in and out of its own phone, so no two workers touch the same login.
    Every fifth user ID carries an ``@`` (servers answer it URL-encoded).
    """

    readers: int = DEFAULT_READERS
    writers: int = DEFAULT_CONCURRENCY

    @staticmethod
    def reader(i: int) -> str:
        """User ID of reader ``i``."""
        return f"load.r{i:04d}@example.com" if i % 5 == 0 else f"load.r{i:04d}"

    @staticmethod
    def read_phone(i: int) -> str:
        """Phone of reader ``i``."""
        return f"SEPAA00000{i:05X}"

    @staticmethod
    def writer(k: int) -> str:
        """User ID of writer ``k``."""
        return f"load.w{k:04d}"

    @staticmethod
    def write_phone(k: int) -> str:
        """Phone of writer ``k``."""
        return f"SEPBB00000{k:05X}"

    @staticmethod
    def profiles(i: int) -> tuple[str, ...]:
        """Device profiles of reader ``i``, the default first."""
        base = f"udp-r{i:04d}"
        return (base, f"{base}-8845") if i % 2 else (base,)

    def logged_in(self, i: int) -> bool:
        """Whether reader ``i`` is logged in on its phone for the whole load."""
        return i < self.readers // 2

    def seed(self, service: EmService) -> None:
        """Add the plan's users, devices, profiles and standing logins to ``service``."""
        app = AppCredentials(DEMO_EM_APP_ID, DEMO_EM_APP_CERTIFICATE)
        for i in range(self.readers):
            user = self.reader(i)
            service.add_user(user)
            service.add_device(self.read_phone(i))
            for n, profile in enumerate(self.profiles(i)):
                service.add_profile(profile, user, default=n == 0)
        for k in range(self.writers):
            service.add_user(self.writer(k))
            service.add_device(self.write_phone(k))
            service.add_profile(f"udp-w{k:04d}", self.writer(k), default=True)
        for i in range(self.readers):
            if self.logged_in(i):
                login = service.login(app, self.read_phone(i), self.reader(i), None, "indefinite")
                if isinstance(login, EmFailure):
                    raise RuntimeError(f"seeding login {i} failed with EM code {login.code}")


@dataclass(frozen=True, slots=True)
class CmePlan:
    """The CME phones of the load: ephone ``t`` has MAC ``0000.1111.<t>``, line ``5000+t``.

    Every third phone is registered (at ``10.1.<t/250>.<t%250>``).
    """

    phones: int = DEFAULT_PHONES

    @staticmethod
    def mac(tag: int) -> str:
        """Device name (``SEP`` + MAC) of ephone ``tag``."""
        return f"SEP00001111{tag:04X}"

    @staticmethod
    def number(tag: int) -> str:
        """Directory number on the first button of ephone ``tag``."""
        return str(5000 + tag)

    @staticmethod
    def registered(tag: int) -> bool:
        """Whether ephone ``tag`` is registered."""
        return tag % 3 == 0

    def seed(self, router: CmeRouter) -> None:
        """Configure the plan's phones and lines on ``router`` and register every third."""
        lines = ["telephony-service", " max-ephones 240", " max-dn 720"]
        for tag in range(1, self.phones + 1):
            mac = self.mac(tag)[3:]
            lines += [
                f"ephone-dn {tag}",
                f" number {self.number(tag)}",
                f"ephone {tag}",
                f" mac-address {mac[0:4]}.{mac[4:8]}.{mac[8:12]}",
                " type 7965",
                f" button 1:{tag}",
            ]
        line, error = router.exec_cli(lines)
        if line:
            raise RuntimeError(f"seeding CME failed at {lines[line - 1]!r}:{error}")
        for tag in range(1, self.phones + 1):
            if self.registered(tag):
                router.register(tag, f"10.1.{tag // 250}.{tag % 250}")


def build_app(em: EmPlan, cme: CmePlan) -> Any:
    """The combined emulator app, seeded with both plans (demo CUP and Huawei data)."""
    service = EmService()
    service.seed_demo()
    em.seed(service)
    router = CmeRouter(xml_users={DEMO_USER: (DEMO_PASSWORD, 15)})
    cme.seed(router)
    return create_app(em=service, cme=router)


# --------------------------------------------------------------------------- emulator process


def _serve_child(conn: Any, em: EmPlan, cme: CmePlan) -> None:
    """Child process: seed the emulators, serve them on a free loopback port until SIGTERM."""
    from ucxml.emulator.server import serve

    app = build_app(em, cme)
    serve(app, port=0, ready=conn.send)


class EmulatorProcess:
    """The seeded emulators served by a child process on loopback, as a context manager."""

    def __init__(self, em: EmPlan, cme: CmePlan, *, start_timeout: float = 60.0) -> None:
        self.em, self.cme = em, cme
        self.start_timeout = start_timeout
        self.base_url = ""
        self._process: multiprocessing.process.BaseProcess | None = None

    @property
    def pid(self) -> int:
        """Process id of the emulator."""
        if self._process is None or self._process.pid is None:
            raise RuntimeError("the emulator process is not started")
        return self._process.pid

    def __enter__(self) -> EmulatorProcess:
        context = multiprocessing.get_context("spawn")
        parent, child = context.Pipe(duplex=False)
        process = context.Process(
            target=_serve_child, args=(child, self.em, self.cme), name="ucxml-load-emulator"
        )
        process.start()
        child.close()
        self._process = process
        if not parent.poll(self.start_timeout):
            self.__exit__(None, None, None)
            raise RuntimeError("the emulator process did not start in time")
        try:
            self.base_url = parent.recv()
        except EOFError:  # the child died before serving (its traceback is on stderr)
            self.__exit__(None, None, None)
            raise RuntimeError(f"the emulator process exited ({process.exitcode})") from None
        finally:
            parent.close()
        return self

    def __exit__(self, *exc: object) -> None:
        process, self._process = self._process, None
        if process is None:
            return
        process.terminate()  # uvicorn shuts down gracefully on SIGTERM
        process.join(10)
        if process.is_alive():
            process.kill()
            process.join(5)


# --------------------------------------------------------------------------- memory


def _process(pid: int | None) -> Any:
    """A psutil process (this one when ``pid`` is None), or None without psutil."""
    try:
        import psutil
    except ImportError:
        return None
    return psutil.Process(pid)


class MemoryProbe:
    """Peak and checkpoint RSS of this process and the emulator's (psutil; inert without it).

    A thread samples both every ``interval`` seconds for the peaks; :meth:`checkpoint`
    reads them at a given operation count.
    """

    def __init__(self, server_pid: int | None = None, interval: float = 0.05) -> None:
        self._client = _process(None)
        self._server = _process(server_pid) if server_pid is not None else None
        self.interval = interval
        self.peak_client = 0
        self.peak_server = 0
        self.checkpoints: list[tuple[int, int, int]] = []
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None
        self._cpu_start = (0.0, 0.0)
        self.cpu_used: tuple[float, float] | None = None
        """CPU seconds of (client, server) between entering and leaving the probe."""

    @property
    def available(self) -> bool:
        """Whether psutil is installed."""
        return self._client is not None

    def read(self) -> tuple[int, int]:
        """Current RSS of (client, server) in bytes; 0 where unknown."""
        client = self._client.memory_info().rss if self._client is not None else 0
        server = 0
        if self._server is not None:
            with contextlib.suppress(Exception):  # the emulator may be gone
                server = self._server.memory_info().rss
        self.peak_client = max(self.peak_client, client)
        self.peak_server = max(self.peak_server, server)
        return client, server

    def cpu(self) -> tuple[float, float]:
        """CPU seconds (user + system) used so far by (client, server); server 0 if unknown."""
        client = time.process_time()
        server = 0.0
        if self._server is not None:
            with contextlib.suppress(Exception):
                times = self._server.cpu_times()
                server = times.user + times.system
        return client, server

    def checkpoint(self, ops: int) -> None:
        """Record the RSS pair at ``ops`` completed operations."""
        if self.available:
            self.checkpoints.append((ops, *self.read()))

    def _run(self) -> None:
        while not self._stop.wait(self.interval):
            self.read()

    def __enter__(self) -> MemoryProbe:
        self._cpu_start = self.cpu()
        if self.available:
            self.read()
            self._thread = threading.Thread(target=self._run, name="load-rss", daemon=True)
            self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join()
        if self.available:
            self.read()
        end = self.cpu()
        self.cpu_used = (end[0] - self._cpu_start[0], end[1] - self._cpu_start[1])

    def growth(self) -> tuple[int, int] | None:
        """RSS growth (client, server) from the first checkpoint to the last."""
        if len(self.checkpoints) < 2:
            return None
        first, last = self.checkpoints[0], self.checkpoints[-1]
        return last[1] - first[1], last[2] - first[2]

    def held(self) -> bool:
        """False when either RSS grew by more than the allowance after the first checkpoint."""
        growth = self.growth()
        if growth is None:
            return True
        first = self.checkpoints[0]
        return all(
            grown <= max(GROWTH_BYTES, GROWTH_FRACTION * base)
            for grown, base in zip(growth, first[1:], strict=True)
        )


# --------------------------------------------------------------------------- results


@dataclass(slots=True)
class WorkloadResult:
    """What one workload did: counts, time, memory and a few error/mismatch samples."""

    name: str
    ops: int
    concurrency: int = 1
    answered: int = 0
    errors: int = 0
    mismatches: int = 0
    lost: int = 0
    seconds: float = 0.0
    peak_client: int = 0
    peak_server: int = 0
    growth: tuple[int, int] | None = None
    memory_held: bool = True
    max_loop_lag: float | None = None
    cpu: tuple[float, float] | None = None
    """CPU seconds of (client, emulator) over the run (emulator 0 without psutil)."""
    checkpoints: list[tuple[int, int, int]] = field(default_factory=list)
    """``(requests done, client RSS, emulator RSS)`` read during the run."""
    peer: str | None = None
    peer_rate: float | None = None
    samples: list[str] = field(default_factory=list)

    @property
    def rate(self) -> float:
        """Answered requests per second."""
        return self.answered / self.seconds if self.seconds > 0 else 0.0

    @property
    def ok(self) -> bool:
        """Every request answered, by its own answer, with memory held."""
        clean = not (self.errors or self.mismatches or self.lost)
        return clean and self.answered == self.ops and self.memory_held

    def note(self, text: str) -> None:
        """Keep ``text`` as one of the first few samples of what went wrong."""
        if len(self.samples) < _SAMPLES_KEPT:
            self.samples.append(text)

    def to_dict(self) -> dict[str, Any]:
        """The result as JSON-ready data."""
        data = dataclasses.asdict(self)
        data["rate"] = self.rate
        data["ok"] = self.ok
        return data


@dataclass(slots=True)
class LoadReport:
    """Every workload of one run."""

    results: list[WorkloadResult] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        """Whether every workload held."""
        return all(r.ok for r in self.results)


# --------------------------------------------------------------------------- EM workload


@dataclass(frozen=True, slots=True)
class EmOp:
    """One EM request of the load and the answer it must get (see :func:`check_em`)."""

    kind: str
    """``device``, ``user_devices``, ``check_user``, ``profiles``, ``refused_login``,
    ``login``, ``logout``."""
    args: tuple[str, ...]
    expected: Any


def _read_op(plan: EmPlan, rng: random.Random) -> EmOp:
    """A read (or a refused login) with its expected answer, from the seeded state."""
    roll = rng.random()
    i = rng.randrange(plan.readers)
    user, phone = plan.reader(i), plan.read_phone(i)
    if roll < 0.35:
        devices = [i, rng.randrange(plan.readers)]
        names = [plan.read_phone(d) for d in devices] + [f"SEPDEAD0000{i:04X}"]
        known = [
            (plan.read_phone(d), DeviceState.LOGGED_IN, plan.reader(d))
            if plan.logged_in(d)
            else (plan.read_phone(d), DeviceState.LOGGED_OUT, None)
            for d in devices
        ]
        expected = (*known, (names[-1], DeviceState.DOES_NOT_EXIST, None))
        return EmOp("device", tuple(names), expected)
    if roll < 0.55:
        devices = (phone,) if plan.logged_in(i) else ()
        return EmOp("user_devices", (user,), ((user, quote(user, safe=""), True, devices),))
    if roll < 0.70:
        exists = rng.random() < 0.8
        asked = user if exists else f"nobody.{i:04d}"
        return EmOp("check_user", (asked,), (asked, exists))
    if roll < 0.85:
        return EmOp("profiles", (user,), ((user, plan.profiles(i)),))
    # A login of another reader onto an occupied phone: refused, nothing changes.
    occupied = rng.randrange(max(plan.readers // 2, 1))
    other = (occupied + 1) % plan.readers
    if not plan.logged_in(occupied):  # tiny plans: nobody logged in, ask a query instead
        return EmOp("check_user", (user,), (user, True))
    return EmOp(
        "refused_login", (plan.read_phone(occupied), plan.reader(other)), ANOTHER_USER_LOGGED_IN
    )


def em_operations(
    plan: EmPlan, worker: int, rng: random.Random, writes: float = 0.3
) -> Iterator[EmOp]:
    """The endless request stream of ``worker``: reads, and its own write cycle.

    The write cycle is login -> device query (shows the user) -> logout -> device query
    (logged out), on the worker's own phone, so its expected answers are known.
    """
    phone, user = plan.write_phone(worker), plan.writer(worker)
    cycle = (
        EmOp("login", (phone, user), None),
        EmOp("device", (phone,), ((phone, DeviceState.LOGGED_IN, user),)),
        EmOp("logout", (phone,), None),
        EmOp("device", (phone,), ((phone, DeviceState.LOGGED_OUT, None),)),
    )
    step = 0
    while True:
        if rng.random() < writes:
            yield cycle[step]
            step = (step + 1) % len(cycle)
        else:
            yield _read_op(plan, rng)


async def _call_em(client: AsyncEmClient, op: EmOp) -> Any:
    if op.kind == "device":
        return await client.device_user_query(*op.args)
    if op.kind == "user_devices":
        return await client.user_devices_query(*op.args)
    if op.kind == "check_user":
        return await client.check_user(op.args[0])
    if op.kind == "profiles":
        return await client.device_profile_query(*op.args)
    if op.kind == "login":
        return await client.login(op.args[0], op.args[1], duration=60)
    if op.kind == "logout":
        return await client.logout(op.args[0])
    if op.kind == "refused_login":
        try:
            await client.login(op.args[0], op.args[1])
        except EmError as refused:
            return refused
        return None
    raise ValueError(f"unknown EM operation {op.kind!r}")


def check_em(op: EmOp, answer: Any) -> str | None:
    """Why ``answer`` is not the answer ``op`` must get; None when it is."""
    got: Any
    if op.kind == "device":
        got = tuple((d.device, d.state, d.user) for d in answer if isinstance(d, DeviceLogin))
        if len(got) != len(answer):
            return f"device query answered {answer!r}"
    elif op.kind == "user_devices":
        got = tuple(
            (u.user, u.user_raw, u.exists, u.devices) for u in answer if isinstance(u, UserDevices)
        )
    elif op.kind == "check_user":
        got = (answer.user, answer.exists) if isinstance(answer, UserCheck) else answer
    elif op.kind == "profiles":
        got = tuple(
            (u.user, tuple(p.name for p in sorted(u.profiles, key=lambda p: not p.default)))
            for u in answer
            if isinstance(u, UserProfiles)
        )
        defaults = [sum(p.default for p in u.profiles) for u in answer]
        if any(count != 1 for count in defaults):
            return f"profiles of {op.args}: {answer!r} (one default expected)"
    elif op.kind == "refused_login":
        got = answer.number if isinstance(answer, EmError) else answer
    else:  # login, logout: success answers carry nothing
        got = answer
    if got != op.expected:
        return f"{op.kind}{op.args}: expected {op.expected!r}, got {got!r}"
    return None


async def _loop_lag(stop: asyncio.Event, lags: list[float], period: float = 0.02) -> None:
    """Record how late the event loop wakes a sleeper (a stalled loop wakes it late)."""
    loop = asyncio.get_running_loop()
    while not stop.is_set():
        started = loop.time()
        await asyncio.sleep(period)
        lags.append(loop.time() - started - period)


async def run_em(
    base_url: str,
    plan: EmPlan,
    ops: int = DEFAULT_EM_OPS,
    concurrency: int = DEFAULT_CONCURRENCY,
    *,
    server_pid: int | None = None,
    checkpoint_every: int = 1000,
    deadline: float = DEFAULT_DEADLINE,
    seed: int = 7,
    check: Callable[[EmOp, Any], str | None] = check_em,
    client: AsyncEmClient | None = None,
) -> WorkloadResult:
    """``ops`` EM requests from one :class:`AsyncEmClient`, ``concurrency`` in flight."""
    if concurrency > plan.writers:
        raise ValueError(
            f"{concurrency} workers need {concurrency} writers, plan has {plan.writers}"
        )
    result = WorkloadResult("EM async", ops, concurrency)
    probe = MemoryProbe(server_pid)
    issued = 0
    lags: list[float] = []
    stop = asyncio.Event()
    em = client or AsyncEmClient(
        base_url, app_id=DEMO_EM_APP_ID, app_certificate=DEMO_EM_APP_CERTIFICATE
    )

    async def worker(k: int) -> None:
        nonlocal issued
        stream = em_operations(plan, k, random.Random(seed * 1_000_003 + k))
        while issued < ops:
            issued += 1
            op = next(stream)
            try:
                answer = await _call_em(em, op)
            except Exception as exc:  # every failure is counted, none stops the load
                result.errors += 1
                result.note(f"{op.kind}{op.args}: {type(exc).__name__}: {exc}")
            else:
                result.answered += 1
                wrong = check(op, answer)
                if wrong is not None:
                    result.mismatches += 1
                    result.note(wrong)
            done = result.answered + result.errors
            if done % checkpoint_every == 0:
                probe.checkpoint(done)

    async with em:
        probe.__enter__()
        lag_task = asyncio.create_task(_loop_lag(stop, lags))
        started = time.perf_counter()
        tasks = [asyncio.create_task(worker(k)) for k in range(concurrency)]
        _, pending = await asyncio.wait(tasks, timeout=deadline)
        result.seconds = time.perf_counter() - started
        for task in pending:
            task.cancel()
        await asyncio.gather(*pending, return_exceptions=True)
        stop.set()
        await lag_task
        probe.__exit__()
    # Every request issued ends answered or as an error; the rest were lost.
    result.lost = ops - result.answered - result.errors
    result.max_loop_lag = max(lags, default=0.0)
    _memory(result, probe)
    return result


def _memory(result: WorkloadResult, probe: MemoryProbe) -> None:
    result.peak_client, result.peak_server = probe.peak_client, probe.peak_server
    result.growth = probe.growth()
    result.memory_held = probe.held()
    result.cpu = probe.cpu_used
    result.checkpoints = list(probe.checkpoints)


# --------------------------------------------------------------------------- sync workloads


def _drive(result: WorkloadResult, probe: MemoryProbe, step: Callable[[int], str | None]) -> None:
    """Run ``step(n)`` for each of ``result.ops`` requests, one at a time, and count.

    ``step`` sends request ``n`` and answers why its answer is wrong (None when right); an
    exception is an error. The probe is read at every tenth of the run.
    """
    every = max(result.ops // 10, 1)
    with probe:
        started = time.perf_counter()
        for n in range(1, result.ops + 1):
            try:
                wrong = step(n)
            except Exception as exc:  # every failure is counted, none stops the load
                result.errors += 1
                result.note(f"request {n}: {type(exc).__name__}: {exc}")
            else:
                result.answered += 1
                if wrong is not None:
                    result.mismatches += 1
                    result.note(wrong)
            if n % every == 0:
                probe.checkpoint(n)
        result.seconds = time.perf_counter() - started
    result.lost = result.ops - result.answered - result.errors
    _memory(result, probe)


def _check_via(via: str) -> None:
    if via not in ("ucxml", "zeep"):
        raise ValueError(f"via must be 'ucxml' or 'zeep', got {via!r}")


#: WSDL 1.1 written for zeep around an API's XSD (inlined: zeep cannot resolve an imported
#: schema without a target namespace): EM as an HTTP POST binding whose one form field,
#: ``xml``, carries the document and whose answer is XML; CME as SOAP 1.1 document/literal
#: whose body is ``axl`` (the request's method chosen by ``xsi:type``).
_ZEEP_WSDL: Final = """<?xml version="1.0" encoding="UTF-8"?>
<wsdl:definitions xmlns:wsdl="http://schemas.xmlsoap.org/wsdl/"
    xmlns:soap="http://schemas.xmlsoap.org/wsdl/soap/"
    xmlns:http="http://schemas.xmlsoap.org/wsdl/http/"
    xmlns:mime="http://schemas.xmlsoap.org/wsdl/mime/"
    xmlns:xsd="http://www.w3.org/2001/XMLSchema"
    xmlns:tns="urn:ucxml:load" targetNamespace="urn:ucxml:load">
  <wsdl:types>{schema}</wsdl:types>
  {body}
</wsdl:definitions>
"""
_ZEEP_EM: Final = """
  <wsdl:message name="Form"><wsdl:part name="xml" type="xsd:string"/></wsdl:message>
  <wsdl:message name="Results"><wsdl:part name="body" element="deviceUserResults"/></wsdl:message>
  <wsdl:portType name="Em"><wsdl:operation name="deviceUserQuery">
    <wsdl:input message="tns:Form"/><wsdl:output message="tns:Results"/>
  </wsdl:operation></wsdl:portType>
  <wsdl:binding name="EmPost" type="tns:Em"><http:binding verb="POST"/>
    <wsdl:operation name="deviceUserQuery"><http:operation location=""/>
      <wsdl:input><mime:content type="application/x-www-form-urlencoded"/></wsdl:input>
      <wsdl:output><mime:mimeXml part="body"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
"""
_ZEEP_CME: Final = """
  <wsdl:message name="Axl"><wsdl:part name="axl" element="axl"/></wsdl:message>
  <wsdl:portType name="Cme"><wsdl:operation name="axl">
    <wsdl:input message="tns:Axl"/><wsdl:output message="tns:Axl"/>
  </wsdl:operation></wsdl:portType>
  <wsdl:binding name="CmeSoap" type="tns:Cme">
    <soap:binding style="document" transport="http://schemas.xmlsoap.org/soap/http"/>
    <wsdl:operation name="axl"><soap:operation soapAction=""/>
      <wsdl:input><soap:body use="literal"/></wsdl:input>
      <wsdl:output><soap:body use="literal"/></wsdl:output>
    </wsdl:operation>
  </wsdl:binding>
"""


def zeep_wsdl(api: str, folder: Path) -> Path:
    """Write the WSDL zeep needs for ``api`` (``em`` or ``cme``) into ``folder``."""
    import re

    from ucxml._registry import binding

    schema = binding(api).schema_path.read_text(encoding="utf-8")
    schema = re.sub(r"<\?xml[^>]*\?>|<!--.*?-->", "", schema, flags=re.S)
    # The SOAP envelope import of cme.xsd only documents the wire shape; zeep brings its own.
    schema = re.sub(r"<xs:import[^>]*/>", "", schema)
    body = {"em": _ZEEP_EM, "cme": _ZEEP_CME}[api]
    path = folder / f"{api}.wsdl"
    path.write_text(_ZEEP_WSDL.format(schema=schema, body=body), encoding="utf-8")
    return path


def _zeep_client(api: str, auth: tuple[str, str] | None = None) -> Any:
    import tempfile

    import requests
    import zeep
    from zeep.transports import Transport

    session = requests.Session()
    session.auth = auth
    with tempfile.TemporaryDirectory() as folder:
        return zeep.Client(str(zeep_wsdl(api, Path(folder))), transport=Transport(session=session))


# --------------------------------------------------------------------------- EM sync workload


def _em_device_fields(answer: Any) -> tuple[tuple[str, str | None], ...]:
    """``(device, decoded user or None)`` of a device query answer (ucxml or zeep)."""
    if isinstance(answer, list):
        return tuple((d.device, d.user) for d in answer)
    return tuple(
        (d["name"], unquote(d["userID"]) if d["userID"] else None) for d in answer["device"]
    )


def run_em_sync(
    base_url: str,
    plan: EmPlan,
    calls: int = DEFAULT_SYNC_CALLS,
    *,
    via: str = "ucxml",
    server_pid: int | None = None,
    seed: int = 17,
) -> WorkloadResult:
    """``calls`` one-device ``deviceUserQuery`` requests, one at a time, via ucxml or zeep.

    The same request both ways: ucxml's :class:`~ucxml.em.EmClient`, or zeep over an HTTP
    POST binding (:func:`zeep_wsdl`) with the ``query`` document built by zeep from em.xsd.
    """
    _check_via(via)
    result = WorkloadResult(f"EM device_user_query sync ({via})", calls)
    rng = random.Random(seed)
    url = base_url + "/emservice/EMServiceServlet"
    em = EmClient(url, app_id=DEMO_EM_APP_ID, app_certificate=DEMO_EM_APP_CERTIFICATE)
    app_info = {"appID": DEMO_EM_APP_ID, "appCertificate": DEMO_EM_APP_CERTIFICATE}
    if via == "zeep":
        from lxml import etree

        client = _zeep_client("em")
        service = client.create_service("{urn:ucxml:load}EmPost", url)
        query = client.get_element("query")

    def ask(device: str) -> Any:
        if via == "ucxml":
            return em.device_user_query(device)
        form = etree.Element("form")
        query.render(form, query(appInfo=app_info, deviceUserQuery={"deviceName": [device]}))
        return service.deviceUserQuery(xml=etree.tostring(form[0], encoding="unicode"))

    def step(n: int) -> str | None:
        i = rng.randrange(plan.readers)
        expected = ((plan.read_phone(i), plan.reader(i) if plan.logged_in(i) else None),)
        got = _em_device_fields(ask(plan.read_phone(i)))
        return None if got == expected else f"device {i}: expected {expected!r}, got {got!r}"

    with em:
        _drive(result, MemoryProbe(server_pid), step)
    return result


# --------------------------------------------------------------------------- CME workload


def _cme_request(plan: CmePlan, rng: random.Random) -> tuple[int, dict[str, Any]]:
    tag = rng.randrange(1, plan.phones + 1)
    by = {"dev_name": [plan.mac(tag)]} if rng.random() < 0.5 else {"dev_id": [tag]}
    return tag, by


def _cme_fields(answer: Any) -> list[tuple[Any, ...]]:
    """``(tag, name, status, [line numbers])`` of each device of an answer (ucxml or zeep)."""
    if isinstance(answer, ISgetDeviceResponse):
        return [
            (
                d.dev_id,
                d.dev_name,
                d.dev_status.value if d.dev_status else None,
                [x.ext_number for x in d.phone_line_list.ext_map_status]
                if d.phone_line_list
                else [],
            )
            for d in answer.device
        ]
    devices = answer["response"]["ISDevice"] if answer["response"] is not None else []
    return [
        (
            d["ISDevID"],
            d["ISDevName"],
            d["ISDevStatus"],
            [x["ExtNumber"] for x in d["ISPhoneLineList"]["ExtMapStatus"]]
            if d["ISPhoneLineList"]
            else [],
        )
        for d in devices
    ]


def check_cme_device(plan: CmePlan, tag: int, answer: Any) -> str | None:
    """Why ``answer`` is not the ``ISgetDevice`` answer of ephone ``tag``; None when it is."""
    status = DeviceStatus.REGISTERED if plan.registered(tag) else DeviceStatus.UNREGISTERED
    expected = [(tag, plan.mac(tag), status.value, [plan.number(tag)])]
    got = _cme_fields(answer)
    if got != expected:
        return f"get_device({tag}): expected {expected!r}, got {got!r}"
    return None


def run_cme_sync(
    base_url: str,
    plan: CmePlan,
    calls: int = DEFAULT_CME_CALLS,
    *,
    via: str = "ucxml",
    server_pid: int | None = None,
    seed: int = 11,
) -> WorkloadResult:
    """``calls`` ``get_device`` requests, one at a time, via :class:`CmeClient` or zeep."""
    _check_via(via)
    result = WorkloadResult(f"CME get_device sync ({via})", calls)
    rng = random.Random(seed)
    cme = CmeClient(base_url, username=DEMO_USER, password=DEMO_PASSWORD)
    if via == "zeep":
        client = _zeep_client("cme", (DEMO_USER, DEMO_PASSWORD))
        service = client.create_service("{urn:ucxml:load}CmeSoap", base_url + "/ios_xml_app/cme")
        request_type = client.get_type("ISgetDevice")

    def step(n: int) -> str | None:
        tag, by = _cme_request(plan, rng)
        if via == "ucxml":
            answer = cme.get_device(**by)
        else:
            params = {"ISDevID": by["dev_id"]} if "dev_id" in by else {"ISDevName": by["dev_name"]}
            answer = service.axl(request=request_type(ISgetDevice=params))
        return check_cme_device(plan, tag, answer)

    with cme:
        _drive(result, MemoryProbe(server_pid), step)
    return result


async def run_cme_async(
    base_url: str,
    plan: CmePlan,
    calls: int = DEFAULT_CME_CALLS,
    concurrency: int = DEFAULT_CME_CONCURRENCY,
    *,
    server_pid: int | None = None,
    deadline: float = DEFAULT_DEADLINE,
    seed: int = 13,
) -> WorkloadResult:
    """``calls`` ``get_device`` requests from one :class:`AsyncCmeClient`, some in flight."""
    result = WorkloadResult("CME get_device async", calls, concurrency)
    probe = MemoryProbe(server_pid)
    rng = random.Random(seed)
    every = max(calls // 10, 1)
    issued = 0
    async with AsyncCmeClient(base_url, username=DEMO_USER, password=DEMO_PASSWORD) as cme:

        async def worker() -> None:
            nonlocal issued
            while issued < calls:
                issued += 1
                tag, by = _cme_request(plan, rng)
                try:
                    answer = await cme.get_device(**by)
                except Exception as exc:
                    result.errors += 1
                    result.note(f"get_device({by}): {type(exc).__name__}: {exc}")
                else:
                    result.answered += 1
                    wrong = check_cme_device(plan, tag, answer)
                    if wrong is not None:
                        result.mismatches += 1
                        result.note(wrong)
                done = result.answered + result.errors
                if done % every == 0:
                    probe.checkpoint(done)

        with probe:
            started = time.perf_counter()
            tasks = [asyncio.create_task(worker()) for _ in range(concurrency)]
            _, pending = await asyncio.wait(tasks, timeout=deadline)
            result.seconds = time.perf_counter() - started
            for task in pending:
                task.cancel()
            await asyncio.gather(*pending, return_exceptions=True)
    result.lost = calls - result.answered - result.errors
    _memory(result, probe)
    return result


# --------------------------------------------------------------------------- CUP workload


def expected_contact_list() -> tuple[tuple[str, Decimal, tuple[str, ...]], ...]:
    """The contact list of :data:`CUP_USER` as seeded: ``(group, index, persona ids)``."""
    snapshot = demo_cup_service().user(CUP_USER)
    return tuple(
        (g.name, g.index, tuple(c.persona_id for c in g.contacts)) for g in snapshot.contact_list
    )


def check_contact_list(expected: Any, answer: Any) -> str | None:
    """Why a ``get-contact-list`` answer (ucxml model or zeep object) is not ``expected``."""
    if isinstance(answer, GetContactListResp):
        got = tuple(
            (g.name or "", g.index, tuple(c.value for c in g.persona_id)) for g in answer.group
        )
    else:  # zeep: a list of group objects, hyphenated names as keys
        got = tuple(
            (g["name"] or "", g["index"], tuple(c["_value_1"] for c in g["persona-id"]))
            for g in answer or []
        )
    if got != expected:
        return f"get-contact-list: expected {expected!r}, got {got!r}"
    return None


def run_cup(
    base_url: str,
    calls: int = DEFAULT_CUP_CALLS,
    *,
    via: str = "ucxml",
    server_pid: int | None = None,
) -> WorkloadResult:
    """``calls`` ``get-contact-list`` requests in one EPAS session, via ucxml or zeep.

    zeep reads the shipped EPAS WSDL and sends the session key as a declared header.
    """
    _check_via(via)
    result = WorkloadResult(f"CUP get_contact_list ({via})", calls)
    expected = expected_contact_list()
    if via == "ucxml":
        with CupClient(base_url, username=CUP_USER, password=CUP_PASSWORD) as cup:
            probe = MemoryProbe(server_pid)
            _drive(result, probe, lambda n: check_contact_list(expected, cup.get_contact_list()))
        return result
    import zeep

    from ucxml._registry import binding

    client = zeep.Client(str(binding("cup").schema_path.parent / "epas.wsdl"))
    service = client.create_service(
        "{urn:cisco:epas:soap:wsdl}EPASSoapBinding", base_url + "/EPASSoap/service"
    )
    login = service.login(username=CUP_USER, password=CUP_PASSWORD)
    if login.success is None:
        raise RuntimeError(f"zeep login refused: {login.failure}")
    header = {"session-key": login.success["session-key"].strip()}
    contact_list = service["get-contact-list"]
    try:
        _drive(
            result,
            MemoryProbe(server_pid),
            lambda n: check_contact_list(expected, contact_list(_soapheaders=header)),
        )
    finally:
        service.logout(_soapheaders=header)
    return result


# --------------------------------------------------------------------------- report


#: What zeep can and cannot express of each workload (printed with the table).
ZEEP_NOTES: Final = (
    "CUP EPAS: SOAP 1.2 with the shipped WSDL (schemas/cup/epas.wsdl): zeep drives it as is, "
    "the session key as a declared header (_soapheaders).",
    "EM: no SOAP and no WSDL. zeep expresses it only through a hand-written WSDL 1.1 HTTP "
    "POST binding (form field xml=, answer as mime:mimeXml) with em.xsd inlined (zeep cannot "
    "resolve an imported schema without a namespace); the query document is built by zeep "
    "but serialized into the form field by hand, one WSDL operation per answer root, user "
    "IDs come back URL-encoded. zeep's HTTP bindings are synchronous (no send_async), so "
    "the async 100-in-flight workload has no zeep peer; the sync row compares 1:1.",
    "CME: no WSDL exists (schemas/cme has cme.xsd only). zeep expresses it through a "
    "hand-written SOAP 1.1 document/literal WSDL whose body is <axl> (cme.xsd inlined, its "
    "envelope import dropped); the method is chosen by passing a value of the derived type "
    "(zeep writes xsi:type), and answers are untyped zeep objects. The sync row compares 1:1; "
    "the async row is ucxml only (not measured with zeep.AsyncClient).",
)


def _mb(value: int) -> str:
    return f"{value / _MB:,.0f}" if value else "-"


def _growth(result: WorkloadResult) -> str:
    if result.growth is None:
        return "-"
    client, server = result.growth
    return f"{client / _MB:+.1f}/{server / _MB:+.1f}"


def _cpu(result: WorkloadResult) -> str:
    if result.cpu is None or not result.answered:
        return "-"
    client, server = (seconds * 1000 / result.answered for seconds in result.cpu)
    return f"{client:.2f}/{server:.2f}" if server else f"{client:.2f}/-"


def format_report(report: LoadReport) -> str:
    """The report table, the zeep notes and any samples of what went wrong."""
    header = (
        "workload",
        "ops",
        "in flight",
        "errors",
        "mismatch",
        "lost",
        "req/s",
        "RSS MB client/server peak",
        "RSS growth MB",
        "CPU ms/req client/server",
        "zeep req/s",
        "ucxml/zeep",
    )
    rows = [header]
    for r in report.results:
        ratio = f"{r.rate / r.peer_rate:.2f}x" if r.peer_rate else "-"
        rows.append(
            (
                r.name,
                f"{r.ops:,}",
                str(r.concurrency),
                str(r.errors),
                str(r.mismatches),
                str(r.lost),
                f"{r.rate:,.0f}",
                f"{_mb(r.peak_client)}/{_mb(r.peak_server)}",
                _growth(r),
                _cpu(r),
                f"{r.peer_rate:,.0f}" if r.peer_rate else (r.peer or "-"),
                ratio,
            )
        )
    widths = [max(len(row[c]) for row in rows) for c in range(len(header))]
    lines = []
    for n, row in enumerate(rows):
        cells = [row[0].ljust(widths[0])] + [
            cell.rjust(width) for cell, width in zip(row[1:], widths[1:], strict=True)
        ]
        lines.append("  ".join(cells))
        if n == 0:
            lines.append("  ".join("-" * w for w in widths))
    for r in report.results:
        if r.max_loop_lag is not None:
            lines.append(f"{r.name}: longest event-loop stall {r.max_loop_lag * 1000:.0f} ms")
        if len(r.checkpoints) > 1 and r.ops >= 10_000:
            rss = ", ".join(
                f"{done:,}: {client / _MB:.1f}/{server / _MB:.1f}"
                for done, client, server in r.checkpoints
            )
            lines.append(f"{r.name}: RSS MB client/server after N requests: {rss}")
        for sample in r.samples:
            lines.append(f"  {r.name}: {sample}")
        if not r.memory_held:
            lines.append(f"  {r.name}: RSS grew beyond the allowance after the first checkpoint")
    lines += [f"note: {n}" for n in report.notes]
    verdict = "load held" if report.ok else "LOAD FAILED"
    lines.append(f"verdict: {verdict}")
    return "\n".join(lines)


# --------------------------------------------------------------------------- command line


def _positive(text: str) -> int:
    try:
        value = int(text.replace("_", ""))
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected an integer, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError(f"expected a positive integer, got {value}")
    return value


def build_parser() -> argparse.ArgumentParser:
    """The argument parser of ``python -m benchmarks.load``."""
    parser = argparse.ArgumentParser(
        prog="python -m benchmarks.load",
        description="Load the emulators on loopback with ucxml's clients, beside zeep.",
    )
    parser.add_argument("--em-ops", type=_positive, default=DEFAULT_EM_OPS)
    parser.add_argument("--concurrency", type=_positive, default=DEFAULT_CONCURRENCY)
    parser.add_argument("--cme-calls", type=_positive, default=DEFAULT_CME_CALLS)
    parser.add_argument("--cme-concurrency", type=_positive, default=DEFAULT_CME_CONCURRENCY)
    parser.add_argument("--cup-calls", type=_positive, default=DEFAULT_CUP_CALLS)
    parser.add_argument(
        "--sync-calls",
        type=_positive,
        default=DEFAULT_SYNC_CALLS,
        help="EM device_user_query calls of the sync ucxml/zeep comparison",
    )
    parser.add_argument(
        "--readers", type=_positive, default=DEFAULT_READERS, help="EM read users/phones"
    )
    parser.add_argument("--no-zeep", action="store_true", help="skip the zeep comparison")
    parser.add_argument("--json", type=Path, default=None, help="also write results here")
    return parser


def _progress(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


def run_load(args: argparse.Namespace) -> LoadReport:
    """Start the emulator process and run every workload of ``args``."""
    em_plan = EmPlan(readers=args.readers, writers=args.concurrency)
    cme_plan = CmePlan()
    report = LoadReport()
    zeep_available = not args.no_zeep
    if zeep_available:
        try:
            import zeep  # noqa: F401
        except ImportError:
            zeep_available = False
            report.notes.append("zeep is not installed: pip install -e '.[load]'")
    if not MemoryProbe().available:
        report.notes.append("psutil is not installed: no memory figures")
    with EmulatorProcess(em_plan, cme_plan) as emulator:
        url, pid = emulator.base_url, emulator.pid
        _progress(f"emulators (pid {pid}) at {url}")

        def side_by_side(label: str, run: Callable[..., WorkloadResult]) -> None:
            _progress(f"{label} through ucxml")
            ours = run(via="ucxml", server_pid=pid)
            report.results.append(ours)
            if zeep_available:
                _progress(f"{label} through zeep")
                peer = run(via="zeep", server_pid=pid)
                report.results.append(peer)
                ours.peer_rate = peer.rate

        _progress(f"EM: {args.em_ops:,} operations, {args.concurrency} in flight")
        em = asyncio.run(run_em(url, em_plan, args.em_ops, args.concurrency, server_pid=pid))
        em.peer = "n/a"
        report.results.append(em)
        side_by_side(
            f"EM: {args.sync_calls:,} device_user_query, sync",
            lambda **kw: run_em_sync(url, em_plan, args.sync_calls, **kw),
        )
        side_by_side(
            f"CME: {args.cme_calls:,} get_device, sync",
            lambda **kw: run_cme_sync(url, cme_plan, args.cme_calls, **kw),
        )
        _progress(f"CME: {args.cme_calls:,} get_device, async, {args.cme_concurrency} in flight")
        acme = asyncio.run(
            run_cme_async(url, cme_plan, args.cme_calls, args.cme_concurrency, server_pid=pid)
        )
        acme.peer = "n/a"
        report.results.append(acme)
        side_by_side(
            f"CUP: {args.cup_calls:,} get_contact_list",
            lambda **kw: run_cup(url, args.cup_calls, **kw),
        )
    report.notes += list(ZEEP_NOTES)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Run the load test; return the exit status."""
    args = build_parser().parse_args(argv)
    print(
        f"python {sys.version.split()[0]}, {os.cpu_count()} CPUs; emulators in a child "
        "process on loopback (uvicorn); figures from one run, the machine may be shared",
        flush=True,
    )
    report = run_load(args)
    print(format_report(report), flush=True)
    if args.json is not None:
        import json

        args.json.parent.mkdir(parents=True, exist_ok=True)
        data = {"results": [r.to_dict() for r in report.results], "ok": report.ok}
        args.json.write_text(json.dumps(data, indent=2, default=str) + "\n", encoding="utf-8")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
