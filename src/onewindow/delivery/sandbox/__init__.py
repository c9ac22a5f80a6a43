"""The courier sandbox (``python -m onewindow.delivery.sandbox``), see ``server.py``."""

from onewindow.delivery.sandbox.server import (
    CourierSandbox,
    CourierSandboxConfig,
    make_app,
)

__all__ = ["CourierSandbox", "CourierSandboxConfig", "make_app"]
