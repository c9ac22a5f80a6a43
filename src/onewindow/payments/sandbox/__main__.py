from __future__ import annotations

import argparse
import os

from onewindow.core.sandbox import sandbox_serve
from onewindow.payments.sandbox.server import DEV_KEY, Sandbox, SandboxConfig, make_app


def main() -> None:
    parser = argparse.ArgumentParser(description="OneWindow sandbox payment gateway")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=8077)
    parser.add_argument("--key", default=os.environ.get("ONEWINDOW_PAYMENTS_SANDBOX_KEY", DEV_KEY))
    parser.add_argument(
        "--app-id", default=os.environ.get("ONEWINDOW_PAYMENTS_APP_ID", "onewindow-demo")
    )
    parser.add_argument(
        "--delay", type=float, default=1.0, help="seconds before the first notification"
    )
    parser.add_argument(
        "--duplicates", type=int, default=1, help="extra copies of the success notification"
    )
    parser.add_argument("--shuffle", action="store_true", help="send notifications out of order")
    parser.add_argument(
        "--state",
        default=os.environ.get(
            "ONEWINDOW_PAYMENTS_SANDBOX_STATE",
            os.path.join(os.environ.get("ONEWINDOW_VAR_DIR", "var"), "payments-sandbox.json"),
        ),
    )
    args = parser.parse_args()
    sandbox = Sandbox(
        SandboxConfig(
            key=args.key,
            app_id=args.app_id,
            delay=args.delay,
            duplicates=args.duplicates,
            shuffle=args.shuffle,
            state_file=args.state,
        )
    )
    sandbox_serve(
        parser,
        make_app(sandbox),
        host=args.host,
        port=args.port,
        name="sandbox payment gateway",
        log_prefix="sandbox-pay",
    )


if __name__ == "__main__":
    main()
