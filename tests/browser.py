"""Shared set-up for tests that drive Debian's Chromium through Playwright."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest

CHROMIUM_FLAGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def chromium_path() -> str:
    path = os.environ.get("TRIALSCREEN_CHROMIUM") or shutil.which("chromium")
    if not path:
        pytest.skip("Debian's chromium is not installed (scripts/test installs it)")
    return path


@pytest.fixture(scope="session")
def browser() -> Iterator:
    sync_api = pytest.importorskip("playwright.sync_api")
    # Playwright's sync API runs an event loop; Django must still allow the ORM in tests.
    os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    with sync_api.sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=chromium_path(), args=CHROMIUM_FLAGS)
        yield chromium
        chromium.close()


AXE = os.path.join(
    os.path.dirname(os.path.dirname(os.path.abspath(__file__))), "node_modules", "axe-core", "axe.min.js"
)
SERIOUS = {"serious", "critical"}


def serious_accessibility_problems(page) -> list[str]:
    """axe-core's serious and critical violations on the page, as readable lines."""
    if not os.path.exists(AXE):
        pytest.skip("axe-core is not installed (scripts/install runs npm ci)")
    # Evaluated by the browser's tooling rather than added as an inline <script>, which the
    # site's Content-Security-Policy rightly refuses.
    with open(AXE, encoding="utf-8") as source:
        page.evaluate(source.read())
    violations = page.evaluate(
        "async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
        ".map(v => ({id: v.id, impact: v.impact, help: v.help, targets: v.nodes.map(n => n.target.join(' ')).slice(0, 3)}))"
    )
    return [f"{v['id']} ({v['impact']}): {v['help']} at {v['targets']}" for v in violations if v["impact"] in SERIOUS]


CSP_LISTENER = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__trialscreenCspViolation(
    `${event.effectiveDirective} refused ${event.blockedURI || "inline"} on ${event.documentURI}`
    + ` (${event.sourceFile || "page"}:${event.lineNumber}) ${event.sample}`
  );
});
"""


def watch_csp(target) -> list[str]:
    """Every Content-Security-Policy violation in a page or a browser context, from now on.

    The list fills as violations happen, across navigations; read it through `csp_violations`.
    """
    violations: list[str] = []

    def record(violation: str) -> None:
        violations.append(violation)

    target.expose_function("__trialscreenCspViolation", record)
    target.add_init_script(CSP_LISTENER)
    return violations


def csp_violations(page, violations: list[str]) -> list[str]:
    """The violations so far, once the browser has reported any still queued for this page."""
    page.wait_for_timeout(100)
    return list(violations)


def signed_in(browser, url: str, username: str, password: str, **context_options):
    """A new browser context that opens `url`, signs in on the form it leads to, and watches CSP.

    Returns the context, its page and the CSP violations list; the caller waits for its own page.
    """
    context = browser.new_context(**context_options)
    violations = watch_csp(context)
    page = context.new_page()
    page.goto(url)
    page.get_by_label("User name").fill(username)
    page.get_by_label("Password", exact=True).fill(password)
    page.get_by_role("button", name="Sign in").click()
    return context, page, violations
