import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { installFakeApi } from "../test/fakeApi";
import { renderApp } from "../test/render";

function rows() {
  return screen.queryAllByTestId("device-row");
}

function row(deviceId: string) {
  const found = rows().find((r) => r.dataset.deviceId === deviceId);
  if (!found) throw new Error(`no row for ${deviceId}`);
  return within(found);
}

describe("fleet overview", () => {
  it("lists seeded devices with status words, last seen and last reading", async () => {
    installFakeApi();
    renderApp("/");
    expect(screen.getByRole("heading", { level: 1, name: "Fleet overview" })).toBeInTheDocument();
    expect(screen.getByTestId("loading")).toHaveTextContent("Loading devices…");

    await waitFor(() => expect(rows()).toHaveLength(12));
    expect(screen.getByTestId("device-count")).toHaveTextContent(
      "Showing 12 devices: 9 online, 2 offline, 1 unknown.",
    );

    // names with quotes, unicode and emoji come through as text, linked to the device page
    expect(screen.getByRole("link", { name: "O'Brien's freezer" })).toHaveAttribute("href", "/devices/dev-003");
    expect(screen.getByRole("link", { name: 'Pump "B"' })).toBeInTheDocument();
    expect(screen.getByRole("link", { name: "Roof 🌡 probe" })).toBeInTheDocument();

    const cold = row("dev-001");
    expect(cold.getByTestId("status-badge")).toHaveTextContent("Online");
    expect(cold.getByTestId("temperature")).toHaveTextContent("2.71 °C");
    expect(cold.getByTestId("humidity")).toHaveTextContent("33.6%");
    expect(cold.getByTestId("battery")).toHaveTextContent("95%");
    const seen = cold.getByTestId("last-seen");
    expect(seen.querySelector("time")).toHaveAttribute("dateTime", "2026-11-24T15:00:00Z");
    expect(seen).toHaveTextContent("24 Nov 2026, 15:00:00 UTC");

    // null humidity is a dash, not 0 or "null"
    expect(row("dev-003").getByTestId("humidity")).toHaveTextContent(/^—$/);
    expect(row("dev-004").getByTestId("status-badge")).toHaveTextContent("Offline");

    // a device that never reported
    const back = row("dev-012");
    expect(back.getByTestId("status-badge")).toHaveTextContent("Unknown");
    expect(back.getByTestId("last-seen")).toHaveTextContent("never");
    expect(back.getByTestId("temperature")).toHaveTextContent("—");
    expect(back.getByTestId("battery")).toHaveTextContent("—");

    // site ids are shown by name once the sites have loaded
    await waitFor(() => expect(row("dev-001").getByText("Zürich Nord")).toBeInTheDocument());
    expect(screen.getByTestId("all-loaded")).toBeInTheDocument();
    expect(screen.queryByTestId("load-more")).not.toBeInTheDocument();
  });

  it("filters by site through the bySite route", async () => {
    const api = installFakeApi();
    const user = userEvent.setup();
    renderApp("/");
    await waitFor(() => expect(rows()).toHaveLength(12));
    const select = screen.getByLabelText("Site");
    await waitFor(() => expect(within(select).getByRole("option", { name: 'Boston "Seaport" Depot' })).toBeInTheDocument());

    await user.selectOptions(select, "site-osl");
    await waitFor(() => expect(rows()).toHaveLength(4));
    expect(rows().map((r) => r.dataset.deviceId)).toEqual(["dev-002", "dev-005", "dev-008", "dev-011"]);
    expect(api.callsTo("/sites/site-osl/devices")).toHaveLength(1);
    expect(screen.getByTestId("device-count")).toHaveTextContent("at Oslo Havn");

    await user.selectOptions(select, "");
    await waitFor(() => expect(rows()).toHaveLength(12));
  });

  it("reads the site filter from the URL and says when a site has no devices", async () => {
    const api = installFakeApi();
    api.state.sites.push({ siteId: "site-empty", name: "Empty lot", timezone: "UTC" });
    renderApp("/?site=site-empty");
    expect(await screen.findByText("No devices at this site")).toBeInTheDocument();
    expect(api.callsTo("/sites/site-empty/devices")).toHaveLength(1);
    expect(api.callsTo("/devices")).toHaveLength(0);
  });

  it("loads more pages with the cursor from `next`", async () => {
    const api = installFakeApi();
    const user = userEvent.setup();
    renderApp("/?limit=5");
    await waitFor(() => expect(rows()).toHaveLength(5));
    expect(screen.getByTestId("device-count")).toHaveTextContent("(more available)");

    await user.click(screen.getByRole("button", { name: "Load more" }));
    await waitFor(() => expect(rows()).toHaveLength(10));
    const [first, second] = api.callsTo("/devices");
    expect(first!.url.searchParams.get("cursor")).toBeNull();
    expect(second!.url.searchParams.get("limit")).toBe("5");
    expect(second!.url.searchParams.get("cursor")).toEqual(expect.any(String));

    await user.click(screen.getByTestId("load-more"));
    await waitFor(() => expect(rows()).toHaveLength(12));
    expect(screen.queryByTestId("load-more")).not.toBeInTheDocument();
    expect(screen.getByTestId("all-loaded")).toHaveTextContent("All devices shown.");
    // no device twice
    expect(new Set(rows().map((r) => r.dataset.deviceId)).size).toBe(12);
  });

  it("shows an empty fleet and a network error clearly", async () => {
    installFakeApi({ devices: [] });
    const { unmount } = renderApp("/");
    expect(await screen.findByText("No devices yet")).toBeInTheDocument();
    unmount();

    installFakeApi({ offline: true });
    renderApp("/");
    const alert = await screen.findByTestId("error-state");
    expect(alert).toHaveAttribute("role", "alert");
    expect(alert).toHaveTextContent("Devices could not be loaded");
    expect(alert).toHaveTextContent("Could not reach the API");
    expect(within(alert).getByRole("button", { name: "Try again" })).toBeInTheDocument();
  });
});
