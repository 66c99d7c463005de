import { screen, waitFor, within } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { installFakeApi } from "../test/fakeApi";
import { renderApp } from "../test/render";

describe("sites", () => {
  it("lists sites with device counts and links to their filtered overview", async () => {
    installFakeApi();
    renderApp("/sites");
    await waitFor(() => expect(screen.getAllByTestId("site-card")).toHaveLength(3));
    const zrh = within(screen.getAllByTestId("site-card").find((c) => c.dataset.siteId === "site-zrh")!);
    expect(zrh.getByRole("heading", { name: "Zürich Nord" })).toBeInTheDocument();
    await waitFor(() => expect(zrh.getByTestId("site-device-count")).toHaveTextContent("4"));
    expect(zrh.getByText("47.4106° N, 8.5445° E")).toBeInTheDocument();
    expect(zrh.getByRole("link", { name: "View devices at Zürich Nord" })).toHaveAttribute("href", "/?site=site-zrh");
  });
});
