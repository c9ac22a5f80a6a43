"""One HTTP exchange for the bill adapters: bounded time, bounded size, errors as
ProviderError (unreachable, slow, 5xx) — never a hanging worker or an unbounded read."""

from __future__ import annotations

import socket
import urllib.error
import urllib.request
from dataclasses import dataclass

from onewindow.bills.providers.base import ProviderError, ProviderMalformed, ProviderTimeout

MAX_BYTES = 1024 * 1024


@dataclass(frozen=True)
class Answer:
    status: int
    headers: dict[str, str]
    body: bytes


def exchange(
    *, method: str, url: str, headers: dict[str, str], body: bytes | None, timeout: float
) -> Answer:
    request = urllib.request.Request(url, data=body, headers=headers, method=method)  # noqa: S310 — configured provider URL
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            data = response.read(MAX_BYTES + 1)
            status = response.status
            got = {k: v for k, v in response.headers.items()}
    except urllib.error.HTTPError as exc:
        data = exc.read(MAX_BYTES + 1) if exc.fp else b""
        status = exc.code
        got = {k: v for k, v in exc.headers.items()} if exc.headers else {}
        if status >= 500:
            raise ProviderError(f"HTTP {status}") from exc
    except TimeoutError as exc:
        raise ProviderTimeout(f"timeout after {timeout:g} s") from exc
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        if isinstance(reason, TimeoutError | socket.timeout):
            raise ProviderTimeout(f"timeout after {timeout:g} s") from exc
        raise ProviderError(f"unreachable: {reason}") from exc
    if len(data) > MAX_BYTES:
        raise ProviderMalformed("应答过大", data[:200].decode("utf-8", "replace"))
    return Answer(status=status, headers=got, body=data)
