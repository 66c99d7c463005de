import { render, screen } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { describe, expect, it } from "vitest";
import { Root } from "./Root";
import { createQueryClient } from "./api/queries";
import { installFakeApi } from "./test/fakeApi";

function renderRoot(path = "/") {
  return render(
    <MemoryRouter initialEntries={[path]}>
      <Root queryClient={createQueryClient({ retry: false })} />
    </MemoryRouter>,
  );
}

describe("start-up", () => {
  it("loads /config.json and talks to the API at its apiUrl", async () => {
    const api = installFakeApi({ config: { apiUrl: "/api" } });
    renderRoot("/");
    expect(screen.getByTestId("loading")).toHaveTextContent("Starting…");
    expect(await screen.findAllByTestId("device-row")).toHaveLength(12);
    expect(api.calls[0]!.url.pathname).toBe("/config.json");
    expect(api.callsTo("/devices")[0]!.url.origin + "/api").toBe("http://localhost:3000/api");
  });

  it("explains a missing config", async () => {
    installFakeApi({ config: null });
    renderRoot("/");
    const alert = await screen.findByTestId("config-error");
    expect(alert).toHaveTextContent("The dashboard could not start");
    expect(alert).toHaveTextContent("Could not load /config.json: HTTP 404");
  });

  it("renders the not-found page for unknown routes", async () => {
    installFakeApi();
    renderRoot("/nope");
    expect(await screen.findByRole("heading", { name: "Page not found" })).toBeInTheDocument();
  });
});
