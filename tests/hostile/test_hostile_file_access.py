"""No hostile payload makes ucxml open a local file: the canary here is a named pipe.

libxml2 reads files in C, where Python's audit hooks see nothing. A FIFO shows every
open: :class:`~hostile_harness.FifoCanary` counts the openers (and serves them the canary
text, so nothing blocks). Each attack that names a local file points it at the FIFO and
goes through every entry point; the count must stay zero and the text must not come back.

The DOCTYPE check of ``safexml.precheck`` is a byte search for ``<!DOCTYPE``. A document in
UTF-16 used to pass it and reach libxml2, which loaded an external DTD subset or an external
parameter entity from a ``file://`` system id (``no_network`` stops only the network) before
``postcheck`` refused the DOCTYPE. ``safexml.normalize_encoding`` now hands libxml2 UTF-8
only (a byte order mark or a declared encoding is decoded first; UTF-16 without a mark is
refused), so the same attacks in every encoding are cases here that must open nothing.
"""

from __future__ import annotations

import contextlib
import os
import signal
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
from hostile_corpus import Env, base, from_file, schema_location_hints
from hostile_harness import (
    BASE_OF,
    ENTRY_POINTS,
    AuditLog,
    FifoCanary,
    call_entry,
    is_refusal,
    keeps_unknown,
    tolerates_doctype,
)

FIFO_TEXT = f"UCXML-FIFO-CANARY-{uuid.uuid4().hex}"

ATTACK_FILES = {
    "external-dtd-file": "external-dtd-file.xml",
    "parameter-entity-file": "parameter-entity-file.xml",
    "xxe-local-file": "xxe-local-file.xml",
    "xinclude-local-file": "xinclude-local-file.xml",
}
CODECS = {"utf8": None, "utf16-bom": "utf-16", "utf16le-no-bom": "utf-16-le"}


def _cases() -> list[object]:
    cases = []
    names = [(a, c) for a in ATTACK_FILES for c in CODECS]
    names.append(("schema-location-hints", "utf8"))
    for attack, codec in names:
        for entry in ENTRY_POINTS:
            cases.append(pytest.param(attack, codec, entry, id=f"{attack}-{codec}:{entry}"))
    return cases


@dataclass
class FifoSetup:
    env: Env
    fifo: FifoCanary
    audit: AuditLog


@pytest.fixture(scope="module")
def fifo_setup(tmp_path_factory: pytest.TempPathFactory) -> Iterator[FifoSetup]:
    folder = tmp_path_factory.mktemp("hostile-fifo")
    fifo = FifoCanary(folder / "canary.fifo", FIFO_TEXT)
    audit = AuditLog.install()
    audit.watched = (str(folder),)
    # A closed port: nothing listens there (the URL attacks are in test_hostile_inputs).
    yield FifoSetup(Env(str(fifo.path), "http://127.0.0.1:9"), fifo, audit)
    fifo.close()


def _payload(attack: str, codec: str, entry: str, env: Env) -> bytes:
    doc = base(BASE_OF[entry])
    if attack == "schema-location-hints":
        return schema_location_hints(doc, env)
    return from_file(ATTACK_FILES[attack], CODECS[codec])(doc, env)


@pytest.mark.parametrize(("attack", "codec", "entry"), _cases())
def test_no_local_file_is_opened(
    fifo_setup: FifoSetup, attack: str, codec: str, entry: str
) -> None:
    data = _payload(attack, codec, entry, fifo_setup.env)
    opens = fifo_setup.fifo.opens
    outcome = call_entry(entry, data, seconds=5.0, audit=fifo_setup.audit)
    opened = fifo_setup.fifo.opens - opens

    assert opened == 0, f"{entry} opened the canary FIFO {opened} time(s): {outcome.describe()}"
    assert outcome.audit == [], outcome.audit
    assert outcome.seconds < 5.0
    leaked = [t[:200] for t in outcome.texts() if FIFO_TEXT in t]
    assert not leaked, leaked
    refused, why = is_refusal(outcome)
    # UTF-16 without a byte order mark is refused whatever it holds.
    if tolerates_doctype(attack, entry) and codec != "utf16le-no-bom":
        assert not refused and outcome.error is None, outcome.describe()
        return  # read with a warning, the DTD never opened (checked above)
    if keeps_unknown(attack, entry) and not refused:
        assert outcome.error is None, outcome.describe()
        return  # read and kept as unknown content, never opened (checked above)
    assert refused, f"{why}; got {outcome.describe()}"


def test_a_dtd_naming_standard_input_does_not_block() -> None:
    """``<!DOCTYPE r SYSTEM "file:///dev/stdin">`` in UTF-16, read by a process whose standard
    input is a pipe nobody writes to (a service under a supervisor): it must not wait."""
    import time

    from hostile_corpus import graft, reencode

    import ucxml

    hostile = b'<?xml version="1.0"?>\n<!DOCTYPE r SYSTEM "file:///dev/stdin">\n<r/>'
    data = reencode(graft(base("cme-response"), hostile), "utf-16")
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # pragma: no cover - the child
        os.dup2(read_end, 0)
        os.close(write_end)
        with contextlib.suppress(BaseException):  # only whether it returns matters
            ucxml.parse(data)
        os._exit(0)
    os.close(read_end)
    finished = False
    end = time.monotonic() + 2.0
    try:
        while time.monotonic() < end:
            if os.waitpid(pid, os.WNOHANG)[0] == pid:
                finished = True
                break
            time.sleep(0.01)
    finally:
        if not finished:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
        os.close(write_end)
    assert finished, "ucxml.parse is still reading /dev/stdin after 2 s"
