import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { installFakeApi } from "../test/fakeApi";
import { renderApp } from "../test/render";

describe("device detail", () => {
  it("shows 'No device …' when the API answers 404", async () => {
    const api = installFakeApi();
    renderApp("/devices/dev-xyz");
    const heading = await screen.findByRole("heading", { level: 1, name: "No device dev-xyz" });
    expect(heading.closest("[data-testid=device-not-found]")).not.toBeNull();
    expect(screen.getByRole("link", { name: "Back to the fleet overview" })).toHaveAttribute("href", "/");
    expect(api.callsTo("/devices/dev-xyz")).toHaveLength(1); // a 404 is an answer: no retries
    expect(document.title).toBe("No device dev-xyz · Fleet telemetry");
  });

  it("shows facts, last reading, a chart and the readings table", async () => {
    installFakeApi();
    renderApp("/devices/dev-003");
    expect(await screen.findByRole("heading", { level: 1, name: "O'Brien's freezer" })).toBeInTheDocument();
    const facts = screen.getByTestId("device-facts");
    expect(within(facts).getByText("TH-300 Pro")).toBeInTheDocument();
    expect(within(facts).getByText("floor: 2")).toBeInTheDocument();
    expect(screen.getByTestId("last-reading-temperature")).toHaveTextContent("-17.76 °C");
    expect(screen.getByTestId("last-reading-humidity")).toHaveTextContent("—");

    await waitFor(() => expect(screen.getAllByTestId("reading-row")).toHaveLength(6));
    const times = screen.getAllByTestId("reading-row").map((r) => r.dataset.time);
    expect(times[0]).toBe("2026-11-24T15:00:00Z"); // newest first
    expect(screen.getByTestId("readings-chart")).toHaveTextContent("Temperature over time");
    expect(screen.getByRole("img", { name: /6 readings from 24 Nov 2026, 10:00:00 UTC/ })).toBeInTheDocument();
    // the chart draws one line: this device reports no humidity
    const chart = screen.getByTestId("readings-chart");
    await waitFor(() => expect(chart.querySelectorAll("path.recharts-line-curve")).toHaveLength(1));
    expect(chart).toHaveTextContent("no humidity data in this range");
  });

  it("maps the time range control to since/until", async () => {
    const api = installFakeApi();
    const user = userEvent.setup();
    renderApp("/devices/dev-001");
    await waitFor(() => expect(screen.getAllByTestId("reading-row")).toHaveLength(6));
    const readingCalls = () => api.callsTo("/devices/dev-001/readings");
    expect(readingCalls()[0]!.url.searchParams.get("since")).toBeNull();
    const chart = screen.getByTestId("readings-chart");
    await waitFor(() => expect(chart.querySelectorAll("path.recharts-line-curve")).toHaveLength(2));
    expect(chart).toHaveTextContent("Temperature and humidity over time");

    const group = screen.getByRole("group", { name: "Time range" });
    await user.click(within(group).getByRole("radio", { name: "Last 7 d" }));
    await waitFor(() => expect(readingCalls()).toHaveLength(2));
    const since = readingCalls()[1]!.url.searchParams.get("since")!;
    expect(since).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:00Z$/);
    expect(Date.now() - Date.parse(since)).toBeGreaterThanOrEqual(7 * 24 * 3600 * 1000);
    expect(Date.now() - Date.parse(since)).toBeLessThan(7 * 24 * 3600 * 1000 + 61_000);
    expect(readingCalls()[1]!.url.searchParams.get("until")).toBeNull();

    await user.click(within(group).getByRole("radio", { name: "Custom" }));
    await user.type(screen.getByLabelText("Range start"), "2026-11-24T11:00");
    await user.type(screen.getByLabelText("Range end"), "2026-11-24T13:00");
    await user.click(screen.getByRole("button", { name: "Apply" }));
    await waitFor(() => expect(screen.getAllByTestId("reading-row")).toHaveLength(3));
    const last = readingCalls().at(-1)!.url.searchParams;
    expect(last.get("since")).toBe("2026-11-24T11:00:00Z");
    expect(last.get("until")).toBe("2026-11-24T13:00:00Z");
  });

  it("reads a custom range from the URL and shows an empty range", async () => {
    installFakeApi();
    renderApp("/devices/dev-001?range=custom&since=2020-01-01T00:00:00Z&until=2020-01-02T00:00:00Z");
    expect(await screen.findByText("No readings in this range")).toBeInTheDocument();
    expect(screen.getByLabelText("Range start")).toHaveValue("2020-01-01T00:00");
  });

  it("says so when a device has no readings", async () => {
    installFakeApi();
    renderApp("/devices/dev-012");
    expect(await screen.findByTestId("no-last-reading")).toBeInTheDocument();
    expect(await screen.findByText("No readings in this range")).toBeInTheDocument();
  });
});
