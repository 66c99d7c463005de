"""The dashboard in a real browser (Debian's Chromium via Playwright) against the running stack.

Needs frontend/dist (`make test` builds it first) and Chromium (`scripts/ensure-chromium.sh`).
Screenshots of the main screens are always taken; with SCREENSHOTS=1 (`make screenshots`) they
are written to docs/screenshots/ for the README, otherwise to a temporary folder.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.dev.stack import RunningStack
from tests.localstack.support import REPO

pytestmark = pytest.mark.slow

SHOTS = REPO / "docs/screenshots" if os.environ.get("SCREENSHOTS") == "1" else Path(tempfile.mkdtemp())
CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.fail("Chromium is missing: run scripts/ensure-chromium.sh (make test does)")
    if not (REPO / "frontend/dist/index.html").is_file():
        pytest.fail("frontend/dist is missing: run `cd frontend && npm run build` (make test does)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


@pytest.fixture
def page(browser: Any, stack: RunningStack) -> Iterator[Any]:
    context = browser.new_context(base_url=stack.url, viewport={"width": 1280, "height": 860})
    context.set_default_timeout(15000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def test_overview_lists_every_seeded_device(page: Any, http: Any) -> None:
    seeded = {d["deviceId"]: d for d in http.get("/api/devices?limit=100").json["items"]}
    page.goto("/?limit=5")
    page.get_by_role("heading", level=1, name="Fleet overview").wait_for()
    rows = page.get_by_test_id("device-row")
    rows.first.wait_for()
    while page.get_by_test_id("all-loaded").count() == 0:
        page.get_by_test_id("load-more").click()
        page.wait_for_timeout(100)
    shown = {rows.nth(i).get_attribute("data-device-id") for i in range(rows.count())}
    assert shown == set(seeded) and len(shown) == 12
    row = page.locator('[data-testid="device-row"][data-device-id="dev-003"]')
    assert row.get_by_text("O'Brien's freezer").count() == 1
    assert row.get_by_test_id("status-badge").get_attribute("data-status") == seeded["dev-003"]["status"]
    assert row.get_by_test_id("humidity").inner_text().strip() == "—"
    page.evaluate("window.scrollTo(0, 0)")
    page.screenshot(path=str(SHOTS / "overview.png"), full_page=True)


def test_site_filter_uses_the_index_route(page: Any) -> None:
    page.goto("/")
    page.get_by_label("Site").select_option("site-osl")
    page.wait_for_url("**/?site=site-osl*")
    rows = page.get_by_test_id("device-row")
    rows.first.wait_for()
    ids = {rows.nth(i).get_attribute("data-device-id") for i in range(rows.count())}
    assert ids == {"dev-002", "dev-005", "dev-008", "dev-011"}


def test_sending_a_reading_updates_state_and_chart(page: Any, reseed: None) -> None:
    page.goto("/devices/dev-001")
    page.get_by_role("heading", level=1, name="Cold room 1").wait_for()
    page.get_by_test_id("readings-chart").wait_for()
    before = page.get_by_test_id("reading-row").count()
    page.get_by_label("Temperature (°C)").fill("-3.25")
    page.get_by_label("Humidity (%, optional)").fill("41")
    page.get_by_label("Battery (%)").fill("77")
    page.get_by_role("button", name="Send test reading").click()
    result = page.get_by_test_id("send-result")
    result.and_(page.locator('[data-phase="processed"]')).wait_for(timeout=20000)
    assert page.get_by_test_id("last-reading-temperature").inner_text().startswith("-3.25")
    assert page.get_by_test_id("last-reading-battery").inner_text().startswith("77")
    page.get_by_test_id("reading-row").nth(before).wait_for()
    assert page.get_by_test_id("reading-row").count() == before + 1
    assert page.locator("[data-testid=readings-chart] path.recharts-line-curve").count() >= 1
    page.evaluate("window.scrollTo(0, 0)")  # the sticky header would otherwise land mid-page
    page.screenshot(path=str(SHOTS / "device.png"), full_page=True)


def test_unknown_device_shows_not_found(page: Any) -> None:
    page.goto("/devices/dev-nope")
    page.get_by_test_id("device-not-found").wait_for()
    assert page.get_by_role("heading", level=1).inner_text() == "No device dev-nope"


def test_profile_needs_a_token_then_shows_the_profile(page: Any) -> None:
    page.goto("/me")
    page.get_by_test_id("sign-in-required").wait_for()
    page.screenshot(path=str(SHOTS / "profile-signed-out.png"))
    page.get_by_label("User ID (token subject)").fill("local-operator")
    page.get_by_role("button", name="Sign in").click()
    page.get_by_test_id("profile-name").wait_for()
    assert page.get_by_test_id("profile-name").inner_text() == "Ana Operator"
    assert "operator" in page.get_by_test_id("profile-role").inner_text().lower()


def test_sites_and_phone_layout(browser: Any, stack: RunningStack) -> None:
    context = browser.new_context(base_url=stack.url, viewport={"width": 375, "height": 812}, is_mobile=True)
    tab = context.new_page()
    tab.goto("/sites")
    tab.get_by_test_id("site-card").first.wait_for()
    assert tab.get_by_test_id("site-card").count() == 3
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375
    tab.screenshot(path=str(SHOTS / "sites-phone.png"), full_page=True)
    tab.goto("/")
    tab.get_by_test_id("device-row").first.wait_for()
    assert tab.evaluate("document.documentElement.scrollWidth") <= 375
    context.close()
