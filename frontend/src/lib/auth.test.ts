import { describe, expect, it } from "vitest";
import { decodeClaims, mintLocalToken, tokenStore, TOKEN_KEY } from "./auth";

function decodeSegment(s: string): unknown {
  const b64 = s.replace(/-/g, "+").replace(/_/g, "/");
  return JSON.parse(new TextDecoder().decode(Uint8Array.from(atob(b64 + "===".slice((b64.length + 3) % 4)), (c) => c.charCodeAt(0))));
}

describe("mintLocalToken", () => {
  it("is an unsigned JWT: alg none, claims with sub and a future exp, empty signature", () => {
    const now = new Date("2026-11-24T15:00:00Z");
    const token = mintLocalToken("local-operator", { now, ttlSeconds: 3600 });
    const [header, payload, signature] = token.split(".");
    expect(signature).toBe("");
    expect(token).toMatch(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.$/);
    expect(decodeSegment(header!)).toEqual({ alg: "none", typ: "JWT" });
    expect(decodeSegment(payload!)).toMatchObject({
      sub: "local-operator",
      iat: now.getTime() / 1000,
      exp: now.getTime() / 1000 + 3600,
    });
  });

  it("round-trips non-ASCII claims", () => {
    const token = mintLocalToken("björn-🌡", { claims: { name: "Björn Viewer" } });
    expect(decodeClaims(token)).toMatchObject({ sub: "björn-🌡", name: "Björn Viewer" });
  });

  it("refuses an empty subject; decodeClaims refuses non-tokens", () => {
    expect(() => mintLocalToken("  ")).toThrow();
    expect(decodeClaims("nope")).toBeNull();
    expect(decodeClaims("a.b.c")).toBeNull();
  });

  it("keeps the token in sessionStorage", () => {
    tokenStore.set("abc");
    expect(sessionStorage.getItem(TOKEN_KEY)).toBe("abc");
    expect(tokenStore.get()).toBe("abc");
    tokenStore.set(null);
    expect(tokenStore.get()).toBeNull();
  });
});
