"""``guanxi demo`` stops its web server and task worker together, and gives each demo its socket."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from guanxi.demo.management.commands.demo import gunicorn_command

ROOT = Path(__file__).resolve().parents[3]
SLEEPER = [sys.executable, "-c", "import time; time.sleep(120)"]
# A supervisor of two sleeping children that prints their process ids.
SUPERVISOR = f"""
import subprocess, sys
from guanxi.demo import supervisor
started = []
real_popen = subprocess.Popen
def popen(*args, **kwargs):
    child = real_popen(*args, **kwargs)
    started.append(child.pid)
    if len(started) == 2:
        print(*started, flush=True)
    return child
supervisor.subprocess.Popen = popen
sys.exit(supervisor.supervise([{SLEEPER!r}, {{second}}]))
"""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A child that ended but was not yet reaped by anyone is a zombie: it is gone too.
    stat = Path(f"/proc/{pid}/stat")
    return stat.exists() and stat.read_text().split(")")[-1].split()[0] != "Z"


def _start(second: list[str]) -> tuple[subprocess.Popen, list[int]]:
    script = SUPERVISOR.replace("{second}", repr(second))
    process = subprocess.Popen(
        [sys.executable, "-c", script],
        stdout=subprocess.PIPE,
        text=True,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    children = [int(pid) for pid in process.stdout.readline().split()]
    assert len(children) == 2 and all(_alive(pid) for pid in children)
    return process, children


def _gone_soon(pids: list[int]) -> bool:
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        if not any(_alive(pid) for pid in pids):
            return True
        time.sleep(0.1)
    return False


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGINT])
def test_a_stop_signal_to_the_demo_stops_the_server_and_the_worker(stop):
    process, children = _start(SLEEPER)
    process.send_signal(stop)
    assert process.wait(timeout=15) == 0
    assert _gone_soon(children)


def test_when_one_child_exits_the_other_is_stopped_and_its_code_returned():
    process, children = _start([sys.executable, "-c", "import time; time.sleep(0.5); exit(3)"])
    assert process.wait(timeout=15) == 3
    assert _gone_soon(children)


def test_each_demo_has_a_control_socket_in_its_own_data_directory(tmp_path):
    first = gunicorn_command(port=8000, workers=2, data_dir=tmp_path / "a")
    second = gunicorn_command(port=8001, workers=2, data_dir=tmp_path / "b")
    sockets = [c[c.index("--control-socket") + 1] for c in (first, second)]
    assert sockets == [
        str(tmp_path / "a" / "gunicorn-8000.ctl"),
        str(tmp_path / "b" / "gunicorn-8001.ctl"),
    ]


def test_a_data_directory_too_deep_for_a_socket_path_runs_without_a_control_socket(tmp_path):
    command = gunicorn_command(port=8000, workers=2, data_dir=tmp_path / ("d" * 120))
    assert "--no-control-socket" in command and "--control-socket" not in command
