from __future__ import annotations

import argparse
import os
import threading

from onewindow.core.sandbox import sandbox_serve
from onewindow.delivery.sandbox.server import (
    DEV_CHECK_WORD,
    DEV_PARTNER_ID,
    CourierSandbox,
    CourierSandboxConfig,
    make_app,
)


def main() -> None:
    parser = argparse.ArgumentParser(description="OneWindow courier sandbox (SF Express protocol)")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8078)
    env = os.environ.get
    parser.add_argument(
        "--partner-id", default=env("ONEWINDOW_DELIVERY_SANDBOX_PARTNER_ID", DEV_PARTNER_ID)
    )
    parser.add_argument(
        "--check-word", default=env("ONEWINDOW_DELIVERY_SANDBOX_CHECK_WORD", DEV_CHECK_WORD)
    )
    parser.add_argument(
        "--push-url", default="", help="where to push route nodes (none: no pushes)"
    )
    parser.add_argument("--step", type=float, default=20.0, help="seconds between route nodes")
    parser.add_argument("--failure", type=float, default=0.0, help="share of failed deliveries")
    parser.add_argument("--delay", type=float, default=1.0, help="seconds before a node is pushed")
    parser.add_argument("--duplicates", type=int, default=0, help="extra copies of every push")
    parser.add_argument("--shuffle", action="store_true", help="push out of order")
    parser.add_argument(
        "--state",
        default=env(
            "ONEWINDOW_DELIVERY_SANDBOX_STATE",
            os.path.join(env("ONEWINDOW_VAR_DIR", "var"), "courier-sandbox.json"),
        ),
    )
    args = parser.parse_args()
    sandbox = CourierSandbox(
        CourierSandboxConfig(
            partner_id=args.partner_id,
            check_word=args.check_word,
            push_url=args.push_url,
            step=args.step,
            failure=args.failure,
            delay=args.delay,
            duplicates=args.duplicates,
            shuffle=args.shuffle,
            state_file=args.state,
        )
    )
    threading.Thread(target=sandbox.run_forever, daemon=True).start()
    sandbox_serve(
        parser,
        make_app(sandbox),
        host=args.host,
        port=args.port,
        name="courier sandbox",
        log_prefix="courier-sandbox",
        path="/std/service",
    )


if __name__ == "__main__":
    main()
