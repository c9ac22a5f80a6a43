"""A small process supervisor for ``onewindow rundemo``: start children, forward SIGINT and
SIGTERM to them, and if one dies stop the others and report failure."""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from types import FrameType

PR_SET_PDEATHSIG = 1


@dataclass(frozen=True)
class Child:
    name: str
    argv: Sequence[str]


def _die_with_parent() -> None:  # pragma: no cover - runs in the child between fork and exec
    """Linux: the child gets SIGTERM if the supervisor itself is killed."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(PR_SET_PDEATHSIG, signal.SIGTERM)


class Supervisor:
    def __init__(
        self,
        children: Sequence[Child],
        *,
        env: Mapping[str, str] | None = None,
        grace_seconds: float = 15.0,
        log: Callable[[str], None] = lambda line: print(line, file=sys.stderr, flush=True),
    ) -> None:
        self.children = list(children)
        self.env = dict(env) if env is not None else None
        self.grace_seconds = grace_seconds
        self.log = log
        self.procs: dict[str, subprocess.Popen[bytes]] = {}
        self._stop_requested: int | None = None

    def _on_signal(self, signum: int, frame: FrameType | None) -> None:
        self._stop_requested = signum

    def start(self) -> None:
        for child in self.children:
            self.procs[child.name] = subprocess.Popen(  # noqa: S603 — our own argv
                list(child.argv),
                env=self.env,
                # Own session: a terminal Ctrl-C reaches only the supervisor, which then
                # stops every child exactly once, in order.
                start_new_session=True,
                preexec_fn=_die_with_parent if sys.platform.startswith("linux") else None,
            )
            self.log(f"started {child.name} (pid {self.procs[child.name].pid})")

    def stop(self) -> None:
        for name, proc in self.procs.items():
            if proc.poll() is None:
                self.log(f"stopping {name} (pid {proc.pid})")
                with contextlib.suppress(ProcessLookupError):
                    proc.send_signal(signal.SIGTERM)
        deadline = time.monotonic() + self.grace_seconds
        for name, proc in self.procs.items():
            remaining = max(deadline - time.monotonic(), 0.1)
            try:
                proc.wait(timeout=remaining)
            except subprocess.TimeoutExpired:
                self.log(f"{name} did not stop in time; killing it")
                with contextlib.suppress(ProcessLookupError):
                    os.killpg(proc.pid, signal.SIGKILL)
                proc.wait()

    def run(self, *, poll_seconds: float = 0.5) -> int:
        """Run until a signal arrives (exit 0) or a child exits (exit non-zero)."""
        previous = {
            sig: signal.signal(sig, self._on_signal) for sig in (signal.SIGINT, signal.SIGTERM)
        }
        exit_code = 0
        try:
            self.start()
            while self._stop_requested is None:
                dead = [
                    (name, proc.returncode)
                    for name, proc in self.procs.items()
                    if proc.poll() is not None
                ]
                if dead:
                    for name, code in dead:
                        self.log(f"{name} exited with status {code}; stopping the others")
                    exit_code = 1
                    break
                time.sleep(poll_seconds)
            else:
                self.log(f"received {signal.Signals(self._stop_requested).name}; shutting down")
        finally:
            self.stop()
            for sig, handler in previous.items():
                signal.signal(sig, handler)
        return exit_code
