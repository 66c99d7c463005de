"""The dev console page shows what `gen dev --watch` did, in Chromium (Playwright) at 375 px.

A stack runs on a copy of a `gen init` project with a watcher polled by hand (as the other watch
tests do). Before any reload the page says only where state lives; a broken spec shows, as an
alert, each located error as the terminal prints it (``file:line:col: error[CODE]: message`` and
its hint); fixing the spec clears it and says when the stack reloaded; a failure can be hidden
from the keyboard. (Here, not in tests/localstack: that package's reference stack holds the one
stack a process may run.)
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.dev.watch import Watcher
from tests.dev.watch.support import edit
from tests.dev.watch.test_watch_reload import Running
from tests.localstack.test_7_console import CHROMIUM_ARGS

pytestmark = pytest.mark.slow

BROKEN = ("    partition_key: orderId", "    partition_key: orderId\n    sortkey: total")


@pytest.fixture
def phone(running: Running) -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.fail("Chromium is missing: run scripts/ensure-chromium.sh (make test does)")
    errors: list[str] = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        context = browser.new_context(base_url=running[0].url, viewport={"width": 375, "height": 800})
        context.set_default_timeout(15000)
        tab = context.new_page()
        tab.on("pageerror", lambda exc: errors.append(str(exc)))
        yield tab
        browser.close()
    assert not errors, f"uncaught errors in the page: {errors}"


def _no_horizontal_scroll(tab: Any) -> bool:
    return bool(tab.evaluate("document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_a_broken_spec_is_shown_with_its_located_errors_and_cleared_when_fixed(
    phone: Any, running: Running, demo: Path, tmp_path: Path
) -> None:
    stack, _, printed = running
    watcher = Watcher(stack, demo, printed.append, interval=3600)
    phone.goto("/_local/")
    phone.get_by_test_id("stack-state").get_by_text("State: in memory only").wait_for()
    # no reload reported (gen dev without --watch, or nothing saved yet): nothing about reloads
    assert phone.get_by_test_id("reload-failed").inner_text() == ""
    assert phone.get_by_test_id("reload-ok").inner_text() == ""
    watcher.start()  # as gen dev --watch does; its thread would poll in an hour: polled by hand
    try:
        phone.get_by_test_id("reload-ok").get_by_text("Watching spec/ and handwritten/").wait_for()
        _break_fix_and_hide(phone, watcher, printed, demo, tmp_path)
    finally:
        watcher.stop()


def _break_fix_and_hide(phone: Any, watcher: Watcher, printed: list[str], demo: Path, tmp_path: Path) -> None:
    edit(demo / "spec/model.yaml", *BROKEN)
    outcome = watcher.poll()
    assert outcome is not None and outcome.state == "invalid", printed
    (error,) = [d for d in outcome.diagnostics if d.level == "error"]
    located = f"spec/model.yaml:8:5: error[{error.code}]: {error.message}"
    alert = phone.get_by_role("alert")
    alert.get_by_text(located, exact=True).wait_for()
    assert "Reload failed: the spec is invalid; still serving the previous version" in alert.inner_text()
    assert "spec/model.yaml" in alert.get_by_text("Saved at").inner_text()
    if error.hint:
        assert f"hint: {error.hint}" in alert.inner_text()
    assert _no_horizontal_scroll(phone)
    phone.screenshot(path=str(tmp_path / "console-reload-failed-375.png"), full_page=True)

    edit(demo / "spec/model.yaml", BROKEN[1], BROKEN[0])
    outcome = watcher.poll()
    assert outcome is not None and outcome.state == "reloaded", printed
    ok = phone.get_by_test_id("reload-ok")
    ok.get_by_text("Reloaded at").wait_for()
    assert "spec/model.yaml" in ok.inner_text() and "API (" in ok.inner_text()
    assert phone.get_by_test_id("reload-failed").inner_text() == ""  # the failure is cleared
    phone.screenshot(path=str(tmp_path / "console-reloaded-375.png"), full_page=True)

    edit(demo / "spec/model.yaml", *BROKEN)  # broken again: hidden from the keyboard this time
    assert (outcome := watcher.poll()) is not None and outcome.state == "invalid"
    alert.get_by_text(located, exact=True).wait_for()
    assert phone.get_by_test_id("reload-ok").inner_text() == ""
    phone.get_by_role("button", name="Dead letters", exact=True).focus()
    phone.keyboard.press("Tab")
    hide = phone.get_by_role("button", name="Hide until the next reload")
    assert hide.evaluate("button => button === document.activeElement")
    phone.keyboard.press("Enter")
    phone.wait_for_function("document.getElementById('reload-failed').textContent === ''")
    assert phone.evaluate("document.activeElement.dataset.tab") == "requests"  # focus not lost
    assert _no_horizontal_scroll(phone)
