// The deployed dashboard's sign-in, end to end in the app: the Sign in buttons, the hosted UI's
// callback (real oidc-client-ts, fake Cognito), and the token on the protected call.
import { screen, waitFor } from "@testing-library/react";
import { afterEach, describe, expect, it } from "vitest";
import type { AppConfig } from "../config";
import { TOKEN_KEY } from "../lib/auth";
import { resetUserManagers, startSignIn } from "../lib/cognito";
import { installFakeApi } from "../test/fakeApi";
import { cognitoConfig, installFakeCognito } from "../test/fakeCognito";
import { renderApp, testConfig } from "../test/render";

const deployed: AppConfig = { apiUrl: testConfig.apiUrl, auth: "cognito", localAuth: false, cognito: cognitoConfig };

afterEach(() => resetUserManagers());

async function callbackPath(returnTo: string, cognito: ReturnType<typeof installFakeCognito>): Promise<string> {
  let target = "";
  await startSignIn(cognitoConfig, returnTo, (url) => (target = url));
  const back = new URL(cognito.authorize(target));
  return back.pathname + back.search;
}

describe("Cognito sign-in in the app", () => {
  it("offers the hosted UI, not the local token form", async () => {
    installFakeApi();
    renderApp("/me", deployed);
    await waitFor(() => expect(screen.getByTestId("sign-in-required")).toBeInTheDocument());
    expect(screen.getByTestId("cognito-sign-in")).toHaveTextContent("Sign in");
    expect(screen.getByTestId("header-sign-in")).toBeInTheDocument();
    expect(screen.queryByTestId("local-sign-in")).not.toBeInTheDocument();
  });

  it("completes the callback, then calls /me with the ID token as Bearer", async () => {
    const api = installFakeApi();
    const cognito = installFakeCognito();
    renderApp(await callbackPath("/me", cognito), deployed);
    expect(await screen.findByTestId("profile-name")).toHaveTextContent("Ana Operator");
    const token = sessionStorage.getItem(TOKEN_KEY)!;
    expect(token.split(".")).toHaveLength(3);
    expect(api.callsTo("/me").at(-1)!.headers.get("Authorization")).toBe(`Bearer ${token}`);
    expect(screen.getByTestId("header-sign-out")).toBeInTheDocument();
    // only the protected route gets it
    expect(api.calls.filter((c) => c.url.pathname !== "/api/me").every((c) => !c.headers.has("Authorization"))).toBe(true);
  });

  it("shows what went wrong when the hosted UI answers an error", async () => {
    installFakeApi();
    installFakeCognito();
    renderApp("/auth/callback?error=access_denied&error_description=User+is+disabled", deployed);
    expect(await screen.findByTestId("auth-callback-error")).toHaveTextContent("Sign-in failed: User is disabled");
    expect(sessionStorage.getItem(TOKEN_KEY)).toBeNull();
  });

  it("has no callback on the local stack", async () => {
    installFakeApi();
    renderApp("/auth/callback?code=x&state=y");
    expect(await screen.findByTestId("auth-callback-unused")).toBeInTheDocument();
    expect(screen.queryByTestId("header-sign-in")).not.toBeInTheDocument();
  });
});
