"""A sandbox payment gateway that runs as its own local HTTP service (stdlib only).

``python -m onewindow.payments.sandbox --port 8077`` serves a cashier page where the demo
user clicks 确认支付; it then sends signed asynchronous notifications to the merchant's
``notify_url`` — configurably late (``--delay``), duplicated (``--duplicates``) and out of
order (``--shuffle``) — retrying until the merchant answers ``success``, answers refunds, and
serves a signed daily statement (``/statement?bill_date=YYYY-MM-DD``) for reconciliation.
Signatures: HMAC-SHA256 (Base64) over the sorted ``key=value&...`` string, the shared key in
``ONEWINDOW_PAYMENTS_SANDBOX_KEY``."""

from .server import Sandbox, SandboxConfig, make_app

__all__ = ["Sandbox", "SandboxConfig", "make_app"]
