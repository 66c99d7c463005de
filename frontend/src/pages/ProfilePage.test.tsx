import { screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { describe, expect, it } from "vitest";
import { TOKEN_KEY, mintLocalToken } from "../lib/auth";
import { installFakeApi } from "../test/fakeApi";
import { renderApp, testConfig } from "../test/render";

describe("profile", () => {
  it("shows 'Sign in required' on 401 and signs in with a local token", async () => {
    const api = installFakeApi();
    const user = userEvent.setup();
    renderApp("/me");
    expect(await screen.findByRole("heading", { name: "Sign in required" })).toBeInTheDocument();
    expect(api.callsTo("/me")[0]!.headers.get("Authorization")).toBeNull();

    const input = screen.getByLabelText("User ID (token subject)");
    expect(input).toHaveValue("local-operator");
    await user.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByTestId("profile-name")).toHaveTextContent("Ana Operator");
    expect(screen.getByTestId("profile-role")).toHaveTextContent("operator");
    const token = sessionStorage.getItem(TOKEN_KEY);
    expect(token).toMatch(/^[\w-]+\.[\w-]+\.$/);
    expect(api.callsTo("/me").at(-1)!.headers.get("Authorization")).toBe(`Bearer ${token}`);
    expect(screen.getByTestId("nav-profile")).toHaveTextContent("Profile (local-operator)");

    await user.click(screen.getByRole("button", { name: "Sign out" }));
    expect(await screen.findByRole("heading", { name: "Sign in required" })).toBeInTheDocument();
    expect(sessionStorage.getItem(TOKEN_KEY)).toBeNull();
  });

  it("uses a token already in sessionStorage", async () => {
    installFakeApi();
    sessionStorage.setItem(TOKEN_KEY, mintLocalToken("local-viewer"));
    renderApp("/me");
    expect(await screen.findByTestId("profile-name")).toHaveTextContent("Björn Viewer");
  });

  it("treats an expired token as signed out, and a user without profile as 404", async () => {
    installFakeApi();
    sessionStorage.setItem(TOKEN_KEY, mintLocalToken("local-operator", { now: new Date("2020-01-01T00:00:00Z") }));
    const { unmount } = renderApp("/me");
    expect(await screen.findByRole("heading", { name: "Sign in required" })).toBeInTheDocument();
    expect(screen.getByText(/did not accept your token/)).toBeInTheDocument();
    unmount();

    sessionStorage.setItem(TOKEN_KEY, mintLocalToken("nobody"));
    renderApp("/me");
    expect(await screen.findByRole("heading", { name: "No profile for nobody" })).toBeInTheDocument();
  });

  it("hides the local sign-in when config says so", async () => {
    installFakeApi();
    renderApp("/me", { ...testConfig, localAuth: false });
    await waitFor(() => expect(screen.getByTestId("sign-in-required")).toBeInTheDocument());
    expect(screen.queryByRole("button", { name: "Sign in" })).not.toBeInTheDocument();
  });
});
