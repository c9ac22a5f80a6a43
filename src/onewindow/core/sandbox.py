"""The local HTTP server of the platform's sandboxes of outside parties (the payment gateway,
the courier; development, demo and tests only): a WSGI app on a port, or a free one (0),
each request in its own thread; a taken port is a clear message, not a traceback.

``sandbox_server(app, port=0).start()`` serves in a background thread until ``stop()`` (a
test's fixture); ``sandbox_serve(...)`` is the body of a sandbox's ``python -m`` command."""

from __future__ import annotations

import argparse
import contextlib
import errno
import threading
from collections.abc import Callable, Iterable
from socketserver import ThreadingMixIn
from types import TracebackType
from typing import Any
from wsgiref.simple_server import WSGIRequestHandler, WSGIServer, make_server

WsgiApp = Callable[..., Iterable[bytes]]


class PortInUse(OSError):
    """Something already listens on the port a sandbox was asked to take."""

    def __init__(self, host: str, port: int) -> None:
        super().__init__(errno.EADDRINUSE, f"port {port} on {host} is already in use")
        self.host, self.port = host, port


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True


def _handler(log_prefix: str | None) -> type[WSGIRequestHandler]:
    class Handler(WSGIRequestHandler):
        def log_message(self, format: str, *args: Any) -> None:
            if log_prefix is not None:
                print(f"{log_prefix}:", format % args, flush=True)

    return Handler


class SandboxServer:
    """A sandbox listening on ``host``:``port`` (bound already; ``start`` or
    ``serve_forever`` answers requests)."""

    def __init__(self, server: WSGIServer, host: str) -> None:
        self._server, self._host = server, host
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return self._host

    @property
    def port(self) -> int:
        return int(self._server.server_port)

    def url(self, path: str = "") -> str:
        return f"http://{self.host}:{self.port}{path}"

    def start(self) -> SandboxServer:
        """Serve in a daemon thread; returns at once."""
        self._thread = threading.Thread(target=self._server.serve_forever, daemon=True)
        self._thread.start()
        return self

    def serve_forever(self) -> None:
        """Serve in this thread until Ctrl-C."""
        with contextlib.suppress(KeyboardInterrupt):
            self._server.serve_forever()
        self._server.server_close()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def __enter__(self) -> SandboxServer:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.stop()


def sandbox_server(
    app: WsgiApp, *, host: str = "127.0.0.1", port: int = 0, log_prefix: str | None = None
) -> SandboxServer:
    """``app`` bound to ``host``:``port`` (0: a free port), each request logged to stdout after
    ``log_prefix`` (None: not logged). Raises ``PortInUse`` when the port is taken."""
    try:
        server = make_server(
            host, port, app, server_class=_ThreadingServer, handler_class=_handler(log_prefix)
        )
    except OSError as exc:
        if exc.errno != errno.EADDRINUSE:
            raise
        raise PortInUse(host, port) from exc
    return SandboxServer(server, host)


def sandbox_serve(
    parser: argparse.ArgumentParser,
    app: WsgiApp,
    *,
    host: str,
    port: int,
    name: str,
    log_prefix: str,
    path: str = "/",
) -> None:
    """Serve ``app`` on ``host``:``port`` until Ctrl-C, saying where (``<name> on <url>``);
    a taken port ends the command with status 1 and a message naming the port and --port."""
    try:
        server = sandbox_server(app, host=host, port=port, log_prefix=log_prefix)
    except PortInUse:
        parser.exit(
            1,
            f"{name}: port {port} on {host} is already in use (another demo?);"
            " choose another with --port.\n",
        )
    print(f"{name} on {server.url(path)}", flush=True)
    server.serve_forever()
