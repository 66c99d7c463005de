// The sign-in flow with the real oidc-client-ts against a fake Cognito (src/test/fakeCognito.ts):
// the authorization request, the callback's code exchange with the PKCE verifier, which token
// the API gets, and sign-out.
import { afterEach, describe, expect, it } from "vitest";
import { TOKEN_KEY } from "./auth";
import { CALLBACK_PATH, apiToken, completeSignIn, logoutUrl, resetUserManagers, signOut, startSignIn } from "./cognito";
import { cognitoConfig, installFakeCognito } from "../test/fakeCognito";

afterEach(() => resetUserManagers());

function decode(token: string): Record<string, unknown> {
  const b64 = token.split(".")[1]!.replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4))) as Record<string, unknown>;
}

async function authorizationUrl(returnTo = "/me", config = cognitoConfig): Promise<URL> {
  let target = "";
  await startSignIn(config, returnTo, (url) => (target = url));
  return new URL(target);
}

describe("startSignIn", () => {
  it("sends the browser to the hosted UI with the code flow and a PKCE S256 challenge", async () => {
    const url = await authorizationUrl();
    expect(`${url.origin}${url.pathname}`).toBe(`${cognitoConfig.domain}/oauth2/authorize`);
    const p = url.searchParams;
    expect(p.get("response_type")).toBe("code");
    expect(p.get("client_id")).toBe(cognitoConfig.clientId);
    expect(p.get("redirect_uri")).toBe("http://localhost:3000/auth/callback");
    expect(p.get("scope")).toBe("email openid profile");
    expect(p.get("code_challenge_method")).toBe("S256");
    expect(p.get("code_challenge")).toMatch(/^[\w-]{43}$/);
    expect(p.get("state")).toMatch(/^\w+$/);
    // the verifier waits in this tab's sessionStorage, never in localStorage or the URL
    expect(localStorage.length).toBe(0);
    const stored = Object.keys(sessionStorage).filter((k) => k.startsWith("fleet.oidc.state."));
    expect(stored).toHaveLength(1);
    expect(sessionStorage.getItem(stored[0]!)).toContain("code_verifier");
    expect(url.href).not.toContain("code_verifier");
  });
});

describe("completeSignIn", () => {
  it("exchanges the code with the verifier, keeps the ID token for the API and returns to the page", async () => {
    const cognito = installFakeCognito();
    const callback = cognito.authorize((await authorizationUrl("/devices/dev-001?range=24h")).href);
    expect(new URL(callback).pathname).toBe(CALLBACK_PATH);

    const { token, returnTo } = await completeSignIn(cognitoConfig, callback);
    expect(returnTo).toBe("/devices/dev-001?range=24h");
    expect(decode(token)).toMatchObject({ token_use: "id", sub: "local-operator", aud: cognitoConfig.clientId });
    expect(sessionStorage.getItem(TOKEN_KEY)).toBe(token);
    expect(cognito.tokenRequests).toHaveLength(1);
    expect(cognito.tokenRequests[0]!.get("code_verifier")).toMatch(/^[\w-]{43,128}$/);
    // the user (with its refresh token) is kept in sessionStorage too
    expect(Object.keys(sessionStorage).some((k) => k.startsWith("fleet.oidc.user:"))).toBe(true);
    // the same callback twice (React's strict mode) exchanges the code once
    await expect(completeSignIn(cognitoConfig, callback)).resolves.toEqual({ token, returnTo });
    expect(cognito.tokenRequests).toHaveLength(1);
  });

  it("keeps the access token when the operations demand scopes", async () => {
    const config = { ...cognitoConfig, scopes: ["fleet-api/read", "openid"], token: "access" as const };
    const cognito = installFakeCognito(config);
    const callback = cognito.authorize((await authorizationUrl("/me", config)).href);
    const { token } = await completeSignIn(config, callback);
    expect(decode(token)).toMatchObject({ token_use: "access", scope: "fleet-api/read openid" });
  });

  it("fails on a wrong verifier, a foreign state and an error from the hosted UI", async () => {
    const cognito = installFakeCognito();
    const callback = new URL(cognito.authorize((await authorizationUrl()).href));
    const other = new URL(callback);
    other.searchParams.set("state", "forged");
    await expect(completeSignIn(cognitoConfig, other.href)).rejects.toThrow(/could not be completed/);

    const wrong = new URL(callback);
    wrong.searchParams.set("code", "code-999");
    await expect(completeSignIn(cognitoConfig, wrong.href)).rejects.toThrow(/invalid_grant/);
    expect(sessionStorage.getItem(TOKEN_KEY)).toBeNull();

    const denied = "http://localhost:3000/auth/callback?error=access_denied&error_description=User+is+disabled";
    await expect(completeSignIn(cognitoConfig, denied)).rejects.toThrow("Sign-in failed: User is disabled");
  });

  it("never returns to another origin", async () => {
    const cognito = installFakeCognito();
    for (const evil of ["//evil.example/x", "https://evil.example/", CALLBACK_PATH]) {
      const callback = cognito.authorize((await authorizationUrl(evil)).href);
      expect((await completeSignIn(cognitoConfig, callback)).returnTo).toBe("/");
    }
  });
});

describe("apiToken", () => {
  it("picks the token API Gateway's authorizer expects", () => {
    const user = { id_token: "id.token.x", access_token: "access.token.x" };
    expect(apiToken(user, cognitoConfig)).toBe("id.token.x");
    expect(apiToken(user, { ...cognitoConfig, token: "access" })).toBe("access.token.x");
    expect(() => apiToken({ id_token: undefined, access_token: "a" }, cognitoConfig)).toThrow(/no ID token/);
  });
});

describe("signOut", () => {
  it("revokes the refresh token, forgets the tokens and ends the hosted UI session", async () => {
    const cognito = installFakeCognito();
    const callback = cognito.authorize((await authorizationUrl()).href);
    await completeSignIn(cognitoConfig, callback);
    let target = "";
    await signOut(cognitoConfig, (url) => (target = url));
    expect(cognito.revoked.map((f) => [f.get("token"), f.get("client_id")])).toEqual([
      ["opaque-refresh-token", cognitoConfig.clientId],
    ]);
    expect(sessionStorage.getItem(TOKEN_KEY)).toBeNull();
    expect(Object.keys(sessionStorage).some((k) => k.startsWith("fleet.oidc.user:"))).toBe(false);
    expect(target).toBe(logoutUrl(cognitoConfig));
    const url = new URL(target);
    expect(`${url.origin}${url.pathname}`).toBe(`${cognitoConfig.domain}/logout`);
    expect(url.searchParams.get("client_id")).toBe(cognitoConfig.clientId);
    expect(url.searchParams.get("logout_uri")).toBe("http://localhost:3000/");
  });

  it("still logs out when nobody was signed in", async () => {
    installFakeCognito();
    let target = "";
    await signOut(cognitoConfig, (url) => (target = url));
    expect(target).toBe(logoutUrl(cognitoConfig));
  });
});
