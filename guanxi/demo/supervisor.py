"""Run the demo's web server and task worker together, and stop them together.

Replacing the demo process with gunicorn left the worker behind whenever gunicorn alone
was stopped (``kill`` sends SIGTERM to one process, not to the terminal's process group).
Here the demo process stays their parent: Ctrl+C, SIGTERM or either child ending stops both.
"""

import signal
import subprocess
import threading
from collections.abc import Sequence

STOP_SIGNALS = (signal.SIGINT, signal.SIGTERM)
GRACE_SECONDS = 10
POLL_SECONDS = 0.2


def supervise(commands: Sequence[Sequence[str]]) -> int:
    """Start every command, wait until one ends or a stop signal comes, then end the rest.

    Returns the exit code of the child that ended first, or 0 after a stop signal. The
    signal only sets a flag that the waiting loop reads: raised inside ``Popen`` instead,
    it could leave a child just started out of the list of children to stop.
    """
    stop = threading.Event()
    previous = {s: signal.signal(s, lambda signum, frame: stop.set()) for s in STOP_SIGNALS}
    children: list[subprocess.Popen] = []
    code = 0
    try:
        for command in commands:
            children.append(subprocess.Popen(list(command)))
            if stop.is_set():
                break
        else:
            code = _first_exit(children, stop)
    finally:
        # A second Ctrl+C while the children finish must not leave them running.
        for s in STOP_SIGNALS:
            signal.signal(s, signal.SIG_IGN)
        stop_all(children)
        for s, handler in previous.items():
            signal.signal(s, handler)
    return code


def _first_exit(children: list[subprocess.Popen], stop: threading.Event) -> int:
    while not stop.is_set():
        for child in children:
            try:
                return child.wait(timeout=POLL_SECONDS)
            except subprocess.TimeoutExpired:
                continue
    return 0


def stop_all(children: list[subprocess.Popen], grace: float = GRACE_SECONDS) -> None:
    """SIGTERM every child still running, then SIGKILL whoever outlives ``grace`` seconds."""
    for child in children:
        if child.poll() is None:
            child.terminate()
    for child in children:
        try:
            child.wait(timeout=grace)
        except subprocess.TimeoutExpired:
            child.kill()
            child.wait()
