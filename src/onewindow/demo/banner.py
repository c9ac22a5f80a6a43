"""Text that tells a visitor how to use the demo: URL and login accounts."""

from __future__ import annotations

from onewindow.demo import data
from onewindow.demo.city import DemoAccount


def accounts_text(accounts: list[DemoAccount]) -> str:
    lines = [
        "Residents — log in with phone + SMS code; in demo mode the code is shown at "
        "/notify/sms-outbox/ (no real SMS is sent):",
    ]
    lines += [f"  {phone}  {name}" for phone, name, _code in data.DEMO_RESIDENTS]
    lines.append(
        "  Each holds an electronic 往来港澳通行证 (/licences/) to apply for its re-endorsement "
        "(/cases/apply/hk-macau-reendorsement/) without uploading a scan."
    )
    lines += [
        f"Staff — password {data.DEMO_STAFF_PASSWORD} plus a TOTP code; get the current code "
        "with `.venv/bin/onewindow totp_code USERNAME` (demo/debug only) or scan the otpauth URI:",
    ]
    for account in accounts:
        lines.append(f"  {account.username:<14} {account.role} · {account.department}")
        if account.otpauth_uri:
            lines.append(f"      {account.otpauth_uri}")
    lines.append(
        "  More staff, same password: <dept>_clerk / _approver / _admin, <dept>_<district>_clerk, "
        "<district>_<street>_grid<n> (e.g. gaj_th_clerk, th_shipai_grid1)."
    )
    return "\n".join(lines)


def banner(url: str, accounts: list[DemoAccount]) -> str:
    rule = "=" * 78
    return "\n".join(
        [
            rule,
            f"OneWindow demo city (广州) is running at {url}",
            f"  health: {url}healthz    SMS outbox: {url}notify/sms-outbox/    "
            f"workbench: {url}workbench/",
            f"  demo accounts by role, with ID numbers and TOTP codes: {url}demo/",
            f"  services (办事指南, apply online): {url}services/    "
            f"e.g. {url}services/hk-macau-reendorsement/",
            rule,
            accounts_text(accounts),
            rule,
            "Press Ctrl-C to stop the web server, worker and scheduler.",
            rule,
        ]
    )
