"""The dev console at /_local/ against the running reference stack: its JSON (for scripts) and
the page in a real browser (Debian's Chromium via Playwright), at desktop and phone width, with
the keyboard.

A posted event is followed from the request trace (the ingestion template's rendered output)
to its processing (the record acknowledged by its processor); a table is browsed and queried; a
schedule is fired; a reading for a device not yet registered lands in the dead-letter queue and,
once the device is registered, the console's redrive applies it.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from generator.dev.stack import RunningStack
from tests.localstack.support import Http, drain, eventually, now_iso, reading, registered, unique

pytestmark = pytest.mark.slow

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def _post_registration(http: Http, device_id: str, site: str = "site-zrh") -> str:
    """Register a device through the API; the request id of that POST."""
    answer = http.post("/api/events", body=[registered(device_id, site, name="Console test")])
    assert answer.status == 202 and answer.json["failed"] == 0, answer.text
    request_id = answer.header("x-amzn-RequestId")
    assert request_id
    return request_id


# -- the JSON ------------------------------------------------------------------------------------


def test_the_trace_of_a_posted_event_and_its_processing_are_served_as_json(
    http: Http, stack: RunningStack
) -> None:
    device_id = unique("con")
    request_id = _post_registration(http, device_id)
    summaries = http.get("/_local/requests").json["requests"]
    assert request_id in [s["id"] for s in summaries]
    trace = http.get(f"/_local/requests/{request_id}").json
    assert trace["route"] == {"resource": "/events", "operationId": "ingestEvents"}
    rendered = trace["integrationRequest"]["rendered"]
    assert f'"StreamName": "{stack.names.streams["telemetry"]}"' in rendered
    assert f'"PartitionKey": "{device_id}"' in rendered
    assert trace["serviceCall"]["action"] == "kinesis.PutRecords" and trace["status"] == 202
    assert drain(http, 20)

    def processed() -> list[dict[str, Any]] | None:
        found = [e for e in http.get("/_local/events?stream=telemetry").json["events"]
                 if e["partitionKey"] == device_id]
        return found or None

    (event,) = eventually(processed, 5)
    assert event["processor"] == "register_devices" and event["outcome"] == "acknowledged"
    assert device_id in event["data"] and event["batchId"]
    page = http.get(f"/_local/tables/devices?key={device_id}").json
    assert [item["deviceId"] for item in page["items"]] == [device_id]
    shards = {s["processor"]: s["shards"] for s in http.get("/_local/streams").json["streams"]}
    assert {sh["lag"] for sh in shards["register_devices"]} == {0}


def test_unknown_names_and_wrong_methods_are_refused(http: Http) -> None:
    assert http.get("/_local/tables/nothing").status == 404
    assert http.get("/_local/dlq/nothing").status == 404
    assert http.get("/_local/requests/no-such-id").status == 404
    assert http.get("/_local/events?stream=nothing").status == 404
    assert http.get("/_local/tables/devices?limit=0").status == 400
    assert http.get("/_local/tables/devices?after=garbage").status == 400
    assert http.get("/_local/dlq/apply_readings/redrive").status == 405
    assert http.post("/_local/requests").status == 405
    assert http.post("/_local/dlq/mark_offline/redrive").status == 409  # no stream to redrive to
    assert http.get("/_local/status").status == 200  # the other local endpoints still answer


# -- the page ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    from playwright.sync_api import sync_playwright

    executable = shutil.which("chromium") or "/usr/bin/chromium"
    if not Path(executable).exists():
        pytest.fail("Chromium is missing: run scripts/ensure-chromium.sh (make test does)")
    with sync_playwright() as p:
        instance = p.chromium.launch(executable_path=executable, headless=True, args=CHROMIUM_ARGS)
        yield instance
        instance.close()


def _page(browser: Any, stack: RunningStack, width: int) -> Iterator[Any]:
    context = browser.new_context(base_url=stack.url, viewport={"width": width, "height": 800})
    context.set_default_timeout(15000)
    tab = context.new_page()
    errors: list[str] = []
    tab.on("pageerror", lambda exc: errors.append(str(exc)))
    yield tab
    context.close()
    assert not errors, f"uncaught errors in the page: {errors}"


@pytest.fixture
def page(browser: Any, stack: RunningStack) -> Iterator[Any]:
    yield from _page(browser, stack, 1280)


@pytest.fixture
def phone(browser: Any, stack: RunningStack) -> Iterator[Any]:
    yield from _page(browser, stack, 375)


def _no_horizontal_scroll(tab: Any) -> bool:
    return bool(tab.evaluate(
        "document.documentElement.scrollWidth <= document.documentElement.clientWidth"))


def test_a_request_trace_and_the_event_it_carried(page: Any, http: Http, stack: RunningStack) -> None:
    page.goto("/_local/")
    page.get_by_role("heading", level=1, name="gen dev console").wait_for()
    device_id = unique("con")
    request_id = _post_registration(http, device_id)
    row = page.locator(f'[data-request="{request_id}"]')
    row.click()  # appears at the next poll
    integration = page.get_by_test_id("integration-request")
    integration.get_by_text("ingestEvents.request.vtl").wait_for()
    assert f'"PartitionKey": "{device_id}"' in integration.inner_text()
    assert stack.names.streams["telemetry"] in integration.inner_text()
    assert "kinesis.PutRecords" in page.locator("#request-detail").inner_text()
    page.get_by_role("button", name="Events", exact=True).click()
    event = page.get_by_test_id("event-row").filter(has_text=device_id)
    event.wait_for()
    assert event.get_attribute("data-outcome") == "acknowledged"
    assert "register_devices" in event.inner_text()
    summary = event.locator("summary")
    summary.focus()
    page.keyboard.press("Enter")  # the record's data, opened from the keyboard
    assert f'"deviceId": "{device_id}"' in event.locator("pre").inner_text()
    other = unique("con")
    _post_registration(http, other)
    page.get_by_test_id("event-row").filter(has_text=other).wait_for()  # the list was redrawn
    assert page.get_by_test_id("event-row").filter(has_text=device_id).locator("details").get_attribute(
        "open") is not None


def test_tables_are_browsed_and_queried_and_a_schedule_is_fired(page: Any, http: Http) -> None:
    device_id = unique("tbl")
    _post_registration(http, device_id)
    assert drain(http, 20)
    page.goto("/_local/#tables")
    page.get_by_label("Table", exact=True).select_option("devices")
    page.get_by_role("button", name="Show items").click()
    page.get_by_test_id("item-row").first.wait_for()
    assert page.get_by_test_id("item-row").count() >= 10  # the seed's devices, a page of them
    page.get_by_label("Partition key", exact=True).fill(device_id)
    page.get_by_label("Partition key", exact=True).press("Enter")
    # The scan's page may already show this device, so wait for the query's answer to replace
    # the rows rather than for a row naming it.
    page.wait_for_function("document.querySelectorAll('[data-testid=item-row]').length === 1")
    rows = page.get_by_test_id("item-row")
    assert rows.count() == 1 and device_id in rows.first.inner_text()
    page.get_by_role("button", name="Schedules", exact=True).click()
    schedule = page.get_by_test_id("schedule-row").filter(has_text="mark_offline")
    runs_before = int(schedule.locator("td").nth(3).inner_text())
    schedule.get_by_role("button", name="Fire mark_offline now").click()
    page.locator("#notice").get_by_text("mark_offline ran").wait_for()
    page.wait_for_function(
        f"Number(document.querySelector('[data-name=mark_offline] td:nth-child(4)').textContent) > {runs_before}")


def test_a_query_typed_while_a_scan_is_in_flight_keeps_its_answer(page: Any, http: Http) -> None:
    """The scan answers after the query (delayed here in the page's fetch): its rows must not
    replace the query's."""
    device_id = unique("race")
    _post_registration(http, device_id)
    assert drain(http, 20)
    page.goto("/_local/#tables")
    page.evaluate("""() => {
      const original = window.fetch;
      window.fetch = async (url, options) => {
        const answer = await original(url, options);
        const text = String(url);
        if (text.includes("/_local/tables/") && !text.includes("key=")) {
          await new Promise((resolve) => setTimeout(resolve, 1000));
        }
        return answer;
      };
    }""")
    page.get_by_label("Table", exact=True).select_option("devices")
    page.get_by_role("button", name="Show items").click()
    page.get_by_label("Partition key", exact=True).fill(device_id)
    page.get_by_label("Partition key", exact=True).press("Enter")
    page.get_by_test_id("item-row").filter(has_text=device_id).wait_for()
    page.wait_for_timeout(1500)  # past the delayed scan's answer
    rows = page.get_by_test_id("item-row")
    assert rows.count() == 1 and device_id in rows.first.inner_text()


def test_redrive_applies_a_reading_that_failed_before_its_device_was_registered(
    page: Any, http: Http
) -> None:
    late = unique("late")
    taken = now_iso()
    assert http.post("/api/events", body=[reading(late, taken, temperature=3.5)]).json["failed"] == 0

    def in_dlq() -> bool | None:
        messages = http.get("/_local/dlq/apply_readings").json["messages"]
        return any(r["partitionKey"] == late for m in messages for r in m["records"]) or None

    eventually(in_dlq, 20, interval=0.25)
    page.goto("/_local/#events")
    page.get_by_test_id("event-row").filter(has_text=late).and_(
        page.locator('[data-outcome="dlq"]')).first.wait_for()
    _post_registration(http, late)
    assert drain(http, 20)
    page.get_by_role("button", name="Dead letters", exact=True).click()
    page.get_by_role("button", name="Show messages of apply_readings").click()
    page.get_by_test_id("dlq-message").filter(has_text=late).first.wait_for()
    page.get_by_role("button", name="Redrive apply_readings").click()
    page.locator("#notice").get_by_text("redriven").wait_for()
    device = http.get(f"/api/devices/{late}").json
    assert device["lastReading"]["time"] == taken
    assert not in_dlq()


def test_phone_width_has_no_horizontal_scroll_and_the_keyboard_drives_it(
    phone: Any, http: Http
) -> None:
    request_id = _post_registration(http, unique("kbd"))
    phone.goto("/_local/")
    phone.locator(f'[data-request="{request_id}"]').wait_for()
    assert _no_horizontal_scroll(phone)
    phone.get_by_role("heading", level=1).click()  # start from the top of the page
    phone.keyboard.press("Tab")  # the first section button
    assert phone.evaluate("document.activeElement.textContent") == "Requests"
    # keep tabbing to the request and open its trace with Enter
    for _ in range(40):
        phone.keyboard.press("Tab")
        if phone.evaluate("document.activeElement.dataset.request || ''") == request_id:
            break
    else:
        pytest.fail("the request's button is not reachable with Tab")
    assert phone.evaluate("document.activeElement.matches(':focus-visible')")
    phone.keyboard.press("Enter")
    phone.get_by_test_id("integration-request").wait_for()
    assert _no_horizontal_scroll(phone)  # long templates wrap
    for name in ("Events", "Tables", "Streams", "Schedules", "Dead letters"):
        button = phone.get_by_role("button", name=name, exact=True)
        button.focus()
        phone.keyboard.press("Enter")
        assert button.get_attribute("aria-pressed") == "true"
        phone.wait_for_timeout(300)  # let the section render
        assert _no_horizontal_scroll(phone), name
    phone.get_by_role("button", name="Schedules", exact=True).focus()
    phone.keyboard.press("Enter")
    fire = phone.get_by_role("button", name="Fire mark_offline now")
    fire.focus()
    phone.keyboard.press("Enter")
    phone.locator("#notice").get_by_text("mark_offline ran").wait_for()
