// A stand-in for a Cognito user pool's hosted UI and OAuth endpoints, for unit tests only: it
// "signs in" whoever follows an authorization URL, checks the PKCE verifier at the token
// endpoint as Cognito does (S256), and answers with unsigned JWTs carrying Cognito's claims.
import { vi } from "vitest";
import type { CognitoConfig } from "../config";

export const cognitoConfig: CognitoConfig = {
  domain: "https://fleet-prod-1a2b3c4d.auth.eu-central-1.amazoncognito.com",
  issuer: "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Test",
  clientId: "4example0client1id",
  redirectUri: "http://localhost:3000/auth/callback",
  logoutUri: "http://localhost:3000/",
  scopes: ["email", "openid", "profile"],
  token: "id",
};

function base64url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function jwt(claims: Record<string, unknown>): string {
  const part = (o: unknown) => base64url(new TextEncoder().encode(JSON.stringify(o)));
  return `${part({ alg: "RS256", kid: "test" })}.${part(claims)}.c2lnbmF0dXJl`;
}

interface Grant {
  challenge: string;
  method: string;
  clientId: string;
  redirectUri: string;
  scope: string;
  nonce: string | null;
}

/** Installs the provider in front of whatever `fetch` is there (e.g. installFakeApi's). */
export function installFakeCognito(config: CognitoConfig = cognitoConfig, sub = "local-operator") {
  const grants = new Map<string, Grant>();
  const tokenRequests: URLSearchParams[] = [];
  const revoked: URLSearchParams[] = [];
  let issued = 0;
  const next = globalThis.fetch;

  const token = async (form: URLSearchParams): Promise<Response> => {
    tokenRequests.push(form);
    const grant = grants.get(form.get("code") ?? "");
    const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(form.get("code_verifier") ?? "")));
    const bad =
      !grant ||
      form.get("grant_type") !== "authorization_code" ||
      form.get("client_id") !== grant.clientId ||
      form.get("redirect_uri") !== grant.redirectUri ||
      grant.method !== "S256" ||
      base64url(digest) !== grant.challenge;
    if (bad) return Response.json({ error: "invalid_grant" }, { status: 400 });
    grants.delete(form.get("code")!); // a code is good for one exchange
    const now = Math.floor(Date.now() / 1000);
    const common = { sub, iss: config.issuer, exp: now + 3600, iat: now, auth_time: now };
    return Response.json({
      id_token: jwt({ ...common, aud: grant.clientId, token_use: "id", "cognito:username": sub, ...(grant.nonce ? { nonce: grant.nonce } : {}) }),
      access_token: jwt({ ...common, client_id: grant.clientId, token_use: "access", scope: grant.scope }),
      refresh_token: "opaque-refresh-token",
      token_type: "Bearer",
      expires_in: 3600,
    });
  };

  vi.stubGlobal("fetch", async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(input instanceof Request ? input.url : String(input));
    if (url.origin !== new URL(config.domain).origin) return next(input, init);
    const form = new URLSearchParams(init?.body instanceof URLSearchParams ? init.body : String(init?.body ?? ""));
    if (url.pathname === "/oauth2/token" && init?.method === "POST") return token(form);
    if (url.pathname === "/oauth2/revoke" && init?.method === "POST") {
      revoked.push(form);
      return new Response(null, { status: 200 });
    }
    return Response.json({ error: "not_found" }, { status: 404 });
  });

  return {
    tokenRequests,
    revoked,
    /** Follows an authorization URL as a signed-in browser would: the callback URL with a code. */
    authorize(authorizationUrl: string): string {
      const url = new URL(authorizationUrl);
      const p = url.searchParams;
      if (`${url.origin}${url.pathname}` !== `${config.domain}/oauth2/authorize`) throw new Error(`not the hosted UI: ${authorizationUrl}`);
      const code = `code-${++issued}`;
      grants.set(code, {
        challenge: p.get("code_challenge") ?? "",
        method: p.get("code_challenge_method") ?? "",
        clientId: p.get("client_id") ?? "",
        redirectUri: p.get("redirect_uri") ?? "",
        scope: p.get("scope") ?? "",
        nonce: p.get("nonce"),
      });
      const back = new URL(p.get("redirect_uri")!);
      back.searchParams.set("code", code);
      back.searchParams.set("state", p.get("state") ?? "");
      return back.href;
    },
  };
}
