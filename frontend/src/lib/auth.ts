// Local sign-in for `gen dev`: an unsigned JWT (alg "none", empty signature segment) whose
// payload claims become the authorizer claims (docs/api-definition.md, "Local token form").
// In AWS the same Authorization header carries a real Cognito ID token.

export const TOKEN_KEY = "fleet.idToken";

function base64url(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function fromBase64url(segment: string): string {
  const b64 = segment.replace(/-/g, "+").replace(/_/g, "/");
  const binary = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
  return new TextDecoder().decode(Uint8Array.from(binary, (c) => c.charCodeAt(0)));
}

export interface Claims {
  sub: string;
  exp?: number;
  iat?: number;
  [claim: string]: unknown;
}

/** `<header>.<payload>.` with header {"alg":"none","typ":"JWT"}; valid for `ttlSeconds`. */
export function mintLocalToken(sub: string, opts: { now?: Date; ttlSeconds?: number; claims?: Record<string, unknown> } = {}): string {
  if (!sub.trim()) throw new Error("sub must not be empty");
  const iat = Math.floor((opts.now ?? new Date()).getTime() / 1000);
  const payload: Claims = {
    ...opts.claims,
    sub,
    "cognito:username": sub,
    token_use: "id",
    iat,
    exp: iat + (opts.ttlSeconds ?? 8 * 3600),
  };
  return `${base64url(JSON.stringify({ alg: "none", typ: "JWT" }))}.${base64url(JSON.stringify(payload))}.`;
}

/** The claims of a JWT (not verified: for display only), or null when it is not one. */
export function decodeClaims(token: string): Claims | null {
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const claims: unknown = JSON.parse(fromBase64url(parts[1]));
    if (typeof claims === "object" && claims !== null && typeof (claims as Claims).sub === "string") return claims as Claims;
    return null;
  } catch {
    return null;
  }
}

export const tokenStore = {
  get(): string | null {
    try {
      return sessionStorage.getItem(TOKEN_KEY);
    } catch {
      return null;
    }
  },
  set(token: string | null): void {
    try {
      if (token) sessionStorage.setItem(TOKEN_KEY, token);
      else sessionStorage.removeItem(TOKEN_KEY);
    } catch {
      /* storage unavailable (private mode): the token lives for this page only */
    }
  },
};
