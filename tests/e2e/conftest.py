"""Browser tests: Playwright driving Debian's Chromium against pytest-django's live server.

Every page test should end with ``assert_accessible(page)`` (axe-core via
axe-playwright-python). Every browser context (the ``page`` fixture's and those a test opens
with ``browser.new_context``) is watched for Content-Security-Policy violations: a test
during which a page reported one fails with the violations listed."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Browser, BrowserContext, ConsoleMessage, Page, sync_playwright

# Playwright's sync API runs an event loop in this thread; the ORM calls the tests make
# between browser steps are still plain synchronous calls.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = os.environ.get("CHROMIUM_PATH") or shutil.which("chromium") or "/usr/bin/chromium"
PHONE = {"width": 390, "height": 844}
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


# Chromium reports a violation both on the console ("Refused to ... because it violates the
# following Content Security Policy directive") and as a securitypolicyviolation event; the
# event is echoed to the console too, with the directive and what was blocked.
CSP_WATCH = """
document.addEventListener("securitypolicyviolation", (e) => {
  console.error(`CSP violation: ${e.effectiveDirective} blocked ${e.blockedURI || "inline"}`
    + ` (${e.sourceFile || document.location.href}:${e.lineNumber})`);
});
"""
CSP_VIOLATIONS: list[str] = []


def _on_console(message: ConsoleMessage) -> None:
    text = message.text
    if message.type == "error" and (
        "Content Security Policy" in text or text.startswith("CSP violation:")
    ):
        CSP_VIOLATIONS.append(f"{message.location.get('url', '')}: {text}")


def watch_csp(context: BrowserContext) -> BrowserContext:
    context.add_init_script(CSP_WATCH)
    context.on("console", _on_console)
    return context


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item: pytest.Item) -> Iterator[None]:
    CSP_VIOLATIONS.clear()
    result = yield
    if CSP_VIOLATIONS:
        found = "\n".join(dict.fromkeys(CSP_VIOLATIONS))
        CSP_VIOLATIONS.clear()
        raise AssertionError(f"Content-Security-Policy violations:\n{found}")
    return result


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        if "/e2e/" in str(item.fspath):
            item.add_marker(pytest.mark.browser)


@pytest.fixture(scope="session")
def browser() -> Iterator[Browser]:
    if not os.path.exists(CHROMIUM):
        pytest.fail(f"Chromium not found at {CHROMIUM}: install Debian's 'chromium' package")
    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        new_context = instance.new_context

        def watched_context(*args: Any, **kwargs: Any) -> BrowserContext:
            return watch_csp(new_context(*args, **kwargs))

        instance.new_context = watched_context  # type: ignore[method-assign]
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Browser, live_server) -> Iterator[Page]:  # type: ignore[no-untyped-def]
    context = browser.new_context(
        viewport=PHONE,
        locale="zh-CN",
        base_url=live_server.url,
        is_mobile=True,
        has_touch=True,
        device_scale_factor=2,
    )
    context.set_default_timeout(10_000)
    tab = context.new_page()
    yield tab
    context.close()


_AXE = Axe()


def assert_accessible(page: Page) -> None:
    results = _AXE.run(page)
    assert results.violations_count == 0, results.generate_report()


def check_page(page: Page) -> None:
    """What every page a person uses must be: no sideways scrolling, no axe violation."""
    from tests.e2e.helpers import has_no_horizontal_scroll

    assert has_no_horizontal_scroll(page)
    assert_accessible(page)
