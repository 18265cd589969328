"""Browser journeys: Playwright (from PyPI) driving Debian's Chromium, checked with axe-core."""

import os
import shutil

import pytest
from axe_playwright_python.sync_playwright import Axe

CHROMIUM = os.environ.get("CHROMIUM_PATH", "/usr/bin/chromium")
# Flags for a closed network and a root user, as the machine's own probe uses.
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


@pytest.fixture(scope="session")
def browser():
    from playwright.sync_api import sync_playwright

    assert shutil.which(CHROMIUM), f"Chromium is needed at {CHROMIUM} (apt-get install chromium)"
    # Playwright's sync API runs an event loop; Django's ORM must still be usable from tests.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="fr-FR", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    yield page
    context.close()


@pytest.fixture(scope="session")
def axe():
    return Axe()


@pytest.fixture
def assert_accessible(axe):
    """Fail on any axe-core violation of serious or critical impact."""

    def check(page):
        violations = axe.run(page).response["violations"]
        serious = [
            f"{v['id']} ({v['impact']}): {v['help']} — {[n['target'] for n in v['nodes']]}"
            for v in violations
            if v["impact"] in {"serious", "critical"}
        ]
        assert not serious, f"{page.url}:\n" + "\n".join(serious)

    return check


@pytest.fixture
def assert_accessible_at_widths(assert_accessible):
    """Run axe-core on the page at desktop then phone width (the acceptance asks both), then
    give the page back its viewport."""

    def check(page, widths=(1280, 390)):
        viewport = page.viewport_size
        try:
            for width in widths:
                page.set_viewport_size({"width": width, "height": viewport["height"]})
                assert_accessible(page)
        finally:
            page.set_viewport_size(viewport)

    return check


@pytest.fixture(scope="session")
def screenshot_dir():
    """Screenshots of the journeys, kept under var/ for a person to look at."""
    from django.conf import settings

    path = settings.BASE_DIR / "var" / "screenshots"
    path.mkdir(parents=True, exist_ok=True)
    return path
