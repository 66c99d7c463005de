import { screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { installFakeApi } from "../test/fakeApi";
import { renderApp, testConfig } from "../test/render";

describe("send test reading", () => {
  it("posts one reading.recorded CloudEvent and waits until the device shows it", async () => {
    const api = installFakeApi({ processDelayMs: 600 });
    const user = userEvent.setup();
    renderApp("/devices/dev-001");
    const form = await screen.findByRole("form", { name: "Send test reading" });
    const temperature = within(form).getByLabelText("Temperature (°C)");
    await user.clear(temperature);
    await user.type(temperature, "7.25");
    await user.clear(within(form).getByLabelText("Humidity (%, optional)"));
    await user.clear(within(form).getByLabelText("Battery (%)"));
    await user.type(within(form).getByLabelText("Battery (%)"), "64");
    await user.click(within(form).getByRole("button", { name: "Send test reading" }));

    const result = screen.getByTestId("send-result");
    await waitFor(() => expect(result).toHaveAttribute("data-phase", "waiting"));
    expect(result).toHaveTextContent(/Accepted by the API \(sequence number \d+\)/);

    const posts = api.callsTo("/events", "POST");
    expect(posts).toHaveLength(1);
    expect(posts[0]!.headers.get("Content-Type")).toBe("application/json");
    // signed with SigV4 (service execute-api) with the local key pair of /config.json
    expect(posts[0]!.headers.get("Authorization")).toMatch(
      /^AWS4-HMAC-SHA256 Credential=testing\/\d{8}\/us-east-1\/execute-api\/aws4_request, SignedHeaders=host;x-amz-date, Signature=[0-9a-f]{64}$/,
    );
    expect(posts[0]!.headers.get("X-Amz-Date")).toMatch(/^\d{8}T\d{6}Z$/);
    const body = posts[0]!.body as Array<Record<string, unknown>>;
    expect(body).toHaveLength(1);
    expect(body[0]).toMatchObject({
      specversion: "1.0",
      source: "dashboard",
      type: "reading.recorded",
      subject: "dev-001",
      data: { deviceId: "dev-001", temperature: 7.25, battery: 64 },
    });
    expect(body[0]!.data).not.toHaveProperty("humidity");

    await waitFor(() => expect(result).toHaveAttribute("data-phase", "processed"), { timeout: 5000 });
    expect(result).toHaveTextContent("Processed: the device now shows 7.25 °C, humidity —, battery 64%");
    expect(screen.getByTestId("last-reading-temperature")).toHaveTextContent("7.25 °C");
    // it polled the device until the processor caught up, then refreshed the readings
    expect(api.callsTo("/devices/dev-001").length).toBeGreaterThan(1);
    await waitFor(() => expect(screen.getAllByTestId("reading-row")).toHaveLength(7));
  });

  it("says it cannot sign when the deployment gives it no credentials", async () => {
    const api = installFakeApi();
    const user = userEvent.setup();
    renderApp("/devices/dev-001", { ...testConfig, localSigning: undefined });
    const form = await screen.findByRole("form", { name: "Send test reading" });
    await user.click(within(form).getByRole("button", { name: "Send test reading" }));
    const result = screen.getByTestId("send-result");
    await waitFor(() => expect(result).toHaveAttribute("data-phase", "error"));
    expect(result).toHaveTextContent("Cannot sign the request");
    expect(api.callsTo("/events", "POST")).toHaveLength(0);
  });

  it("validates before sending and reports a rejected event", async () => {
    const api = installFakeApi();
    const user = userEvent.setup();
    renderApp("/devices/dev-001");
    const form = await screen.findByRole("form", { name: "Send test reading" });
    const battery = within(form).getByLabelText("Battery (%)");
    await user.clear(battery);
    await user.type(battery, "150");
    await user.click(within(form).getByRole("button", { name: "Send test reading" }));
    expect(battery).toHaveAttribute("aria-invalid", "true");
    expect(battery).toHaveAccessibleDescription("Battery must be a whole number from 0 to 100 %.");
    expect(battery).toHaveFocus();
    expect(api.callsTo("/events", "POST")).toHaveLength(0);
  });

  it("shows the API's error when the POST fails", async () => {
    const api = installFakeApi();
    const user = userEvent.setup();
    renderApp("/devices/dev-001");
    const form = await screen.findByRole("form", { name: "Send test reading" });
    api.fetchMock.mockImplementationOnce(async () => Response.json({ message: "Invalid request body" }, { status: 400 }));
    await user.click(within(form).getByRole("button", { name: "Send test reading" }));
    const result = screen.getByTestId("send-result");
    await waitFor(() => expect(result).toHaveAttribute("data-phase", "error"));
    expect(result).toHaveTextContent("Could not send the reading. The API answered 400: Invalid request body");
  });
});
