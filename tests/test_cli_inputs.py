"""``ucxml validate`` reads its inputs one at a time, with a cap (issue 19, item 7).

A FIFO in a folder used to hang it, a link to /dev/zero ended in a raw MemoryError, a 2 GB
sparse file cost 32 s and 4.2 GB, and every input was read before the first was checked.
Each case runs the real command in a subprocess with a time limit and reads its memory.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import tracemalloc
from pathlib import Path

import pytest

from ucxml._captures import Input, find_inputs, read_input

ROOT = Path(__file__).resolve().parents[1]
VALID = ROOT / "schemas/cme/examples/corrected/02-ISexecCLI-response-success.xml"
LIMIT = 256 * 1024 * 1024


#: ``python -m ucxml`` that also says, on its last line of standard error, its peak
#: memory: Linux's VmHWM of its own address space (``ru_maxrss`` would carry the forking
#: test process's own peak across the exec).
_MEASURED = (
    "import atexit, sys\n"
    "def peak():\n"
    "    for line in open('/proc/self/status'):\n"
    "        if line.startswith('VmHWM:'):\n"
    "            sys.stderr.write(f'\\nPEAK-KB {line.split()[1]}\\n')\n"
    "atexit.register(peak)\n"
    "from ucxml._cli import main\n"
    "main()\n"
)


def _validate(*args: str, timeout: float = 60) -> tuple[subprocess.CompletedProcess[str], float]:
    """The command's outcome and the peak memory of its process, in MB."""
    done = subprocess.run(
        [sys.executable, "-c", _MEASURED, "validate", "--quiet", *args],
        capture_output=True,
        text=True,
        timeout=timeout,
    )
    peak = [line for line in done.stderr.splitlines() if line.startswith("PEAK-KB ")]
    assert peak, done.stderr
    return done, int(peak[-1].split()[1]) / 1024


def _folder(tmp_path: Path) -> Path:
    folder = tmp_path / "captures"
    folder.mkdir()
    shutil.copy(VALID, folder / "01-valid.xml")
    return folder


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no FIFOs here")
def test_a_fifo_in_a_folder_is_skipped_and_said(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    os.mkfifo(folder / "02-pipe.xml")
    done, _ = _validate(str(folder), timeout=30)  # it used to wait for a writer forever
    assert done.returncode == 0, done.stderr
    assert "02-pipe.xml: a FIFO, not a regular file: skipped" in done.stderr


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_a_link_to_dev_zero_in_a_folder_is_skipped(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    (folder / "03-zero.xml").symlink_to("/dev/zero")
    done, _ = _validate(str(folder), timeout=30)
    assert done.returncode == 0, done.stderr
    assert "03-zero.xml: a character device, not a regular file: skipped" in done.stderr


@pytest.mark.skipif(not Path("/proc/self/status").exists(), reason="no /proc: no VmHWM")
def test_a_file_over_the_limit_is_refused_unread(tmp_path: Path) -> None:
    big = tmp_path / "sparse.xml"
    with big.open("wb") as out:
        out.truncate(2 * 1024**3)  # 2 GB of holes: costs no disk
    done, peak = _validate(str(big), str(VALID), timeout=30)
    assert done.returncode == 2, done.stderr
    assert "2,147,483,648 bytes, over the 268,435,456-byte limit of a capture" in done.stderr
    assert peak < 400, f"{peak:.0f} MB"


@pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero")
def test_an_endless_input_given_by_name_stops_at_the_cap() -> None:
    capture = read_input(Input("/dev/zero", Path("/dev/zero")), max_bytes=1 << 20)
    assert capture.error is not None and "more than 1,048,576 bytes" in capture.error
    assert capture.data == b""


def test_inputs_are_named_before_any_is_read(tmp_path: Path) -> None:
    folder = _folder(tmp_path)
    shutil.copy(VALID, folder / "02-valid.xml")
    found = find_inputs([str(folder), "-", str(tmp_path / "missing.xml")])
    assert [i.source for i in found] == [
        str(folder / "01-valid.xml"),
        str(folder / "02-valid.xml"),
        "<stdin>",
        str(tmp_path / "missing.xml"),
    ]
    assert found[2].path is None and found[3].error == "no such file or folder"
    assert read_input(found[0]).data == VALID.read_bytes()


def _peak_of_validate(files: list[str]) -> int:
    """Python's peak memory (tracemalloc) over ``ucxml validate files``, in process."""
    from click.testing import CliRunner

    from ucxml._cli import cli

    tracemalloc.start()
    try:
        result = CliRunner().invoke(cli, ["validate", "--quiet", *files])
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert result.exit_code in (0, 1), result.output
    return peak


def test_memory_does_not_grow_with_the_number_of_inputs(tmp_path: Path) -> None:
    # Twelve 4 MB inputs: read all first (as before), they held 48 MB more than one does.
    body = VALID.read_bytes().replace(
        b"</response>", b"<!--" + b"x" * (4 << 20) + b"--></response>"
    )
    assert len(body) > 4 << 20
    files = []
    for i in range(12):
        path = tmp_path / f"{i:02d}.xml"
        path.write_bytes(body)
        files.append(str(path))
    _peak_of_validate(files[:1])  # the first run also compiles the schemas
    one, twelve = _peak_of_validate(files[:1]), _peak_of_validate(files)
    assert twelve < one + 2 * len(body), (one, twelve)
