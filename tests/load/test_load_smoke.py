"""Smoke test of the load test (``benchmarks/load.py``, run in full by ``make load``).

A small load against the emulators in their own process must hold (every request answered
by its own answer); and the checks must be able to fail: crossed answers count as
mismatches, a request that never returns counts as lost, a wrong device, contact list or
memory growth is caught. No time is asserted. zeep and psutil parts skip without them.
"""

from __future__ import annotations

import asyncio
import itertools
import random
from collections.abc import Callable, Iterator
from typing import Any

import pytest

from benchmarks.load import (
    GROWTH_BYTES,
    CmePlan,
    EmPlan,
    EmulatorProcess,
    LoadReport,
    MemoryProbe,
    WorkloadResult,
    check_cme_device,
    check_contact_list,
    check_em,
    em_operations,
    expected_contact_list,
    format_report,
    run_cme_async,
    run_cme_sync,
    run_cup,
    run_em,
    run_em_sync,
)
from ucxml.cme import CmeClient
from ucxml.em import AsyncEmClient, DeviceLogin
from ucxml.emulator.app import DEMO_PASSWORD, DEMO_USER
from ucxml.emulator.em_state import DEMO_EM_APP_CERTIFICATE, DEMO_EM_APP_ID
from ucxml.transport import AsyncHttpxTransport, AsyncTransport, HttpRequest, HttpResponse

EM_PLAN = EmPlan(readers=60, writers=30)
CME_PLAN = CmePlan(phones=40)


@pytest.fixture(scope="module")
def emulator() -> Iterator[EmulatorProcess]:
    with EmulatorProcess(EM_PLAN, CME_PLAN) as process:
        yield process


def _clean(result: WorkloadResult) -> tuple[int, int, int, int]:
    return result.answered, result.errors, result.mismatches, result.lost


def test_em_load_holds(emulator: EmulatorProcess) -> None:
    result = asyncio.run(
        run_em(emulator.base_url, EM_PLAN, 200, 20, server_pid=emulator.pid, checkpoint_every=50)
    )
    assert _clean(result) == (200, 0, 0, 0), result.samples
    assert result.ok and result.rate > 0


def test_cme_load_holds(emulator: EmulatorProcess) -> None:
    sync = run_cme_sync(emulator.base_url, CME_PLAN, 50, server_pid=emulator.pid)
    concurrent = asyncio.run(run_cme_async(emulator.base_url, CME_PLAN, 50, 10))
    assert _clean(sync) == (50, 0, 0, 0), sync.samples
    assert _clean(concurrent) == (50, 0, 0, 0), concurrent.samples


def test_cup_load_holds(emulator: EmulatorProcess) -> None:
    result = run_cup(emulator.base_url, 20)
    assert _clean(result) == (20, 0, 0, 0), result.samples


def test_em_sync_load_holds(emulator: EmulatorProcess) -> None:
    result = run_em_sync(emulator.base_url, EM_PLAN, 30)
    assert _clean(result) == (30, 0, 0, 0), result.samples


@pytest.mark.parametrize("workload", ["em", "cme", "cup"])
def test_the_same_requests_through_zeep_hold(emulator: EmulatorProcess, workload: str) -> None:
    pytest.importorskip("zeep")
    url = emulator.base_url
    if workload == "em":
        result = run_em_sync(url, EM_PLAN, 10, via="zeep")
    elif workload == "cme":
        result = run_cme_sync(url, CME_PLAN, 10, via="zeep")
    else:
        result = run_cup(url, 10, via="zeep")
    assert _clean(result) == (10, 0, 0, 0), result.samples


class _Crossing(AsyncTransport):
    """Answers every ``every``-th request with the previous request's answer."""

    def __init__(self, inner: AsyncTransport, every: int) -> None:
        self.inner, self.every = inner, every
        self.sent = 0
        self.previous: HttpResponse | None = None

    async def send(self, request: HttpRequest) -> HttpResponse:
        answer = await self.inner.send(request)
        self.sent += 1
        crossed = self.previous if self.sent % self.every == 0 else None
        self.previous = answer
        return crossed or answer


class _Hanging(AsyncTransport):
    """Never answers the ``nth`` request."""

    def __init__(self, inner: AsyncTransport, nth: int) -> None:
        self.inner, self.nth = inner, nth
        self.sent = 0

    async def send(self, request: HttpRequest) -> HttpResponse:
        self.sent += 1
        if self.sent == self.nth:
            await asyncio.Event().wait()
        return await self.inner.send(request)


async def _run_through(
    emulator: EmulatorProcess, wrap: Callable[[AsyncTransport], AsyncTransport], **options: Any
) -> WorkloadResult:
    inner = AsyncHttpxTransport(timeout=30.0)
    transport = wrap(inner)
    client = AsyncEmClient(
        emulator.base_url,
        app_id=DEMO_EM_APP_ID,
        app_certificate=DEMO_EM_APP_CERTIFICATE,
        transport=transport,
    )
    try:
        return await run_em(emulator.base_url, EM_PLAN, client=client, **options)
    finally:
        await inner.aclose()


def test_crossed_answers_are_counted_as_mismatches(emulator: EmulatorProcess) -> None:
    # One worker: the order of requests, hence which answers cross, is fixed by the seed.
    result = asyncio.run(
        _run_through(emulator, lambda t: _Crossing(t, 5), ops=100, concurrency=1, seed=3)
    )
    assert result.mismatches > 0, result.samples
    assert result.lost == 0
    assert not result.ok


def test_a_request_that_never_returns_is_lost(emulator: EmulatorProcess) -> None:
    result = asyncio.run(
        _run_through(emulator, lambda t: _Hanging(t, 7), ops=40, concurrency=4, deadline=1.0)
    )
    assert result.lost == 1 and result.errors == 0, result.samples
    assert not result.ok


def test_em_checks_refuse_an_answer_for_another_request() -> None:
    rng = random.Random(1)
    ops = list(itertools.islice(em_operations(EM_PLAN, 0, rng), 400))
    kinds = {op.kind for op in ops}
    assert kinds == {
        "device",
        "user_devices",
        "check_user",
        "profiles",
        "refused_login",
        "login",
        "logout",
    }
    cycle = [op.kind for op in ops if op.args[0] == EM_PLAN.write_phone(0)]
    assert cycle[:4] == ["login", "device", "logout", "device"]
    first, other = [op for op in ops if op.kind == "device" and len(op.args) == 3][:2]
    answer = [DeviceLogin(device, state, user) for device, state, user in other.expected]
    right = [DeviceLogin(device, state, user) for device, state, user in first.expected]
    assert check_em(first, right) is None
    assert check_em(first, answer) is not None


def test_cme_check_refuses_another_phone(emulator: EmulatorProcess) -> None:
    with CmeClient(emulator.base_url, username=DEMO_USER, password=DEMO_PASSWORD) as cme:
        answer = cme.get_device(dev_id=[4])
    assert check_cme_device(CME_PLAN, 4, answer) is None
    assert check_cme_device(CME_PLAN, 3, answer) is not None


def test_contact_list_check_refuses_a_changed_list() -> None:
    expected = expected_contact_list()
    zeep_like = [
        {"name": name, "index": index, "persona-id": [{"_value_1": p} for p in ids]}
        for name, index, ids in expected
    ]
    assert check_contact_list(expected, zeep_like) is None
    zeep_like[-1]["persona-id"] = zeep_like[-1]["persona-id"][:-1]
    assert check_contact_list(expected, zeep_like) is not None


def test_memory_growth_after_the_first_checkpoint_fails() -> None:
    probe = MemoryProbe()
    base = 60 * 1024 * 1024
    probe.checkpoints = [(1000, base, base), (10000, base + 1024 * 1024, base)]
    assert probe.held()
    probe.checkpoints.append((20000, base + 2 * GROWTH_BYTES, base))
    assert not probe.held()


def test_memory_probe_reads_rss_when_psutil_is_installed() -> None:
    pytest.importorskip("psutil")
    with MemoryProbe() as probe:
        probe.checkpoint(1)
    assert probe.available and probe.peak_client > 0 and probe.checkpoints[0][1] > 0


def test_report_verdict() -> None:
    good = WorkloadResult("w", 2, answered=2, seconds=1.0)
    bad = WorkloadResult("w", 2, answered=1, lost=1, seconds=1.0)
    assert format_report(LoadReport([good])).endswith("verdict: load held")
    assert format_report(LoadReport([good, bad])).endswith("verdict: LOAD FAILED")
