"""A worker of `serve --workers N` stops when its parent is killed (trial 13: kill -9 of the
parent left both workers serving as orphans, and a new `serve` started beside them)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]

CHILD = textwrap.dedent("""
    import os, signal, sys, time
    from bot.cli.workers import exit_with_parent
    signal.signal(signal.SIGTERM, lambda *_: (open(sys.argv[1], "w").write("stopped"),
                                             os._exit(0)))
    exit_with_parent(os.getppid(), interval=0.1)
    print("ready", flush=True)
    time.sleep(60)
""")
PARENT = textwrap.dedent("""
    import subprocess, sys, time
    child = subprocess.Popen([sys.executable, "-c", sys.argv[1], sys.argv[2]],
                             stdout=subprocess.PIPE, text=True)
    assert child.stdout.readline().strip() == "ready"
    print(child.pid, flush=True)
    time.sleep(60)
""")


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text().split("State:")[1].split()[0]
    except (FileNotFoundError, IndexError):
        return True
    return state in ("Z", "X")  # exited (a zombie nobody reaped yet)


def test_a_worker_stops_when_its_parent_is_killed(tmp_path: Path) -> None:
    mark = tmp_path / "stopped"
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    parent = subprocess.Popen([sys.executable, "-c", PARENT, CHILD, str(mark)],
                              stdout=subprocess.PIPE, text=True, env=env, cwd=ROOT)
    child = int(parent.stdout.readline())
    assert not _gone(child)
    parent.send_signal(signal.SIGKILL)
    parent.wait()
    deadline = time.monotonic() + 20
    while not mark.exists() and time.monotonic() < deadline:
        time.sleep(0.05)  # another process's exit: polled, there is nothing to await
    assert mark.read_text() == "stopped"  # it was told (SIGTERM), not left serving
    while not _gone(child) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _gone(child)
