"""The demo runs with DEBUG off: its 404 and 500 pages are the platform's own Chinese pages,
never Django's technical pages (which list every URL pattern, show tracebacks and settings).
The settings are read once per process, so each check runs in a process of its own with the
environment ``make demo`` gives (ONEWINDOW_DEMO=1, no ONEWINDOW_ENV)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

PROBE = """
import json
import re
import django
django.setup()
from django.conf import settings
from django.test import Client
client = Client(raise_request_exception=False)
page = client.get("/no-such-page/")
css = re.search(r'href="(/static/core/onewindow[^"]*\\.css)"', page.content.decode())
print(json.dumps({
    "css": css.group(1) if css else "",
    "css_status": client.get(css.group(1)).status_code if css else 0,
    "debug": settings.DEBUG,
    "status": page.status_code,
    "page": page.content.decode(),
}))
"""


def _demo_env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("ONEWINDOW_", "DJANGO_", "PYTEST_"))
        and key not in {"DATABASE_URL", "DEBUG", "CELERY_BROKER_URL", "REDIS_URL"}
    }
    env.update(
        ONEWINDOW_DEMO="1",
        ONEWINDOW_VAR_DIR=str(tmp_path),
        DJANGO_SETTINGS_MODULE="onewindow.config.base",
        **extra,
    )
    return env


def _probe(env: dict[str, str], *, collect: bool = False) -> dict[str, object]:
    if collect:  # as rundemo does before it serves: whitenoise serves the collected files
        collected = subprocess.run(
            [sys.executable, "-m", "onewindow.manage", "collectstatic", "--noinput", "-v0"],
            env=env,
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert collected.returncode == 0, collected.stderr[-3000:]
    result = subprocess.run(
        [sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr[-3000:]
    answer: dict[str, object] = json.loads(result.stdout.strip().splitlines()[-1])
    return answer


def test_the_demo_runs_with_debug_off_and_answers_an_unknown_url_with_its_own_404(
    tmp_path: Path,
) -> None:
    answer = _probe(_demo_env(tmp_path), collect=True)
    assert answer["debug"] is False
    assert answer["status"] == 404
    page = str(answer["page"])
    assert "页面不存在" in page and "您访问的页面不存在或已被移除" in page
    assert "Using the URLconf" not in page and "admin/" not in page
    # Static files are still served, by whitenoise, under their hashed names.
    assert str(answer["css"]).startswith("/static/core/onewindow.") and answer["css"] != (
        "/static/core/onewindow.css"
    )
    assert answer["css_status"] == 200


def test_development_without_the_demo_keeps_debug(tmp_path: Path) -> None:
    env = _demo_env(tmp_path)
    del env["ONEWINDOW_DEMO"]
    assert _probe(env)["debug"] is True
