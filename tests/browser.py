"""A real headless Chromium (Debian's) driven by Playwright, for the HTML tests.

With ``CI=true`` or ``KPGRAPH_REQUIRE_BROWSER=1`` a missing browser fails the run; a
developer's bare run without Chromium skips those tests and says why.
"""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass, field

import pytest

CHROMIUM = os.environ.get("KPGRAPH_CHROMIUM", "/usr/bin/chromium")
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _required() -> bool:
    return (os.environ.get("CI", "").lower() == "true"
            or os.environ.get("KPGRAPH_REQUIRE_BROWSER") == "1")


@pytest.fixture(scope="session")
def chromium():
    try:
        from playwright.sync_api import sync_playwright
    except ImportError as exc:
        reason = f"playwright is not installed: {exc}"
    else:
        if os.path.exists(CHROMIUM) or shutil.which(CHROMIUM):
            with sync_playwright() as p:
                browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
                yield browser
                browser.close()
            return
        reason = f"no Chromium at {CHROMIUM} (apt-get install chromium)"
    if _required():
        pytest.fail(f"the browser tests are required here (CI) but {reason}", pytrace=False)
    pytest.skip(reason)


@dataclass
class Opened:
    page: object
    errors: list = field(default_factory=list)
    requests: list = field(default_factory=list)
    dialogs: list = field(default_factory=list)


@pytest.fixture
def open_page(chromium):
    """Open a local HTML file; record console errors, requests and dialogs; block the
    network (any request that is not the file itself is aborted and recorded)."""
    contexts = []

    def open_(path, wait_settled: bool = True, timeout_ms: int = 180_000) -> Opened:
        ctx = chromium.new_context(viewport={"width": 1400, "height": 900})
        contexts.append(ctx)
        page = ctx.new_page()
        opened = Opened(page)
        url = path.resolve().as_uri()
        page.on("console", lambda m: opened.errors.append(m.text) if m.type == "error"
                else None)
        page.on("pageerror", lambda e: opened.errors.append(str(e)))
        page.on("dialog", lambda d: (opened.dialogs.append(d.message), d.dismiss()))

        def route(r):
            if r.request.url != url:
                opened.requests.append(r.request.url)
                return r.abort()
            return r.continue_()

        page.route("**/*", route)
        page.goto(url)
        if wait_settled:
            page.wait_for_selector("body[data-settled=true]", state="attached",
                                   timeout=timeout_ms)
        return opened

    yield open_
    for ctx in contexts:
        ctx.close()
