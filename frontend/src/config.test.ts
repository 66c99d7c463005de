import { describe, expect, it, vi } from "vitest";
import { ConfigError, loadConfig, parseConfig, resolveApiUrl } from "./config";

const page = "http://localhost:3000/devices/dev-001";

describe("resolveApiUrl", () => {
  it("resolves a root-relative apiUrl against the page's origin, not its path", () => {
    expect(resolveApiUrl("/api", page)).toBe("http://localhost:3000/api");
    expect(resolveApiUrl("/api/", page)).toBe("http://localhost:3000/api");
  });
  it("keeps an absolute apiUrl (API Gateway stage URL in AWS)", () => {
    expect(resolveApiUrl("https://abc123.execute-api.eu-central-1.amazonaws.com/prod/", page)).toBe(
      "https://abc123.execute-api.eu-central-1.amazonaws.com/prod",
    );
  });
});

describe("parseConfig", () => {
  it("reads apiUrl and defaults localAuth to true, ignoring other keys", () => {
    expect(parseConfig({ apiUrl: "/api", region: "eu-central-1" }, page)).toEqual({
      apiUrl: "http://localhost:3000/api",
      auth: "local",
      localAuth: true,
    });
    expect(parseConfig({ apiUrl: "/api", localAuth: false }, page)).toMatchObject({ auth: "none", localAuth: false });
    expect(parseConfig({ apiUrl: "/api", auth: "local" }, page).localAuth).toBe(true);
  });
  it("reads the Cognito sign-in a deployed stage's config.json carries (as Terraform writes it)", () => {
    const cognito = {
      domain: "https://fleet-prod-1a2b3c4d.auth.eu-central-1.amazoncognito.com",
      issuer: "https://cognito-idp.eu-central-1.amazonaws.com/eu-central-1_Abc",
      clientId: "4example",
      redirectUri: "https://d111.cloudfront.net/auth/callback",
      logoutUri: "https://d111.cloudfront.net/",
      scopes: ["email", "openid", "profile"],
      token: "id",
    };
    const raw = { apiUrl: "https://abc.execute-api.eu-central-1.amazonaws.com/prod", auth: "cognito", localAuth: false,
      region: "eu-central-1", userPoolId: "eu-central-1_Abc", userPoolClientId: "4example", cognito };
    expect(parseConfig(raw, page)).toEqual({
      apiUrl: "https://abc.execute-api.eu-central-1.amazonaws.com/prod", auth: "cognito", localAuth: false, cognito,
    });
    expect(parseConfig({ ...raw, cognito: { ...cognito, token: undefined, domain: `${cognito.domain}/` } }, page).cognito)
      .toMatchObject({ token: "id", domain: cognito.domain });
  });
  const good = {
    domain: "https://x.auth.eu-central-1.amazoncognito.com", issuer: "https://cognito-idp.eu-central-1.amazonaws.com/p",
    clientId: "c", redirectUri: "https://app.example.com/auth/callback", logoutUri: "https://app.example.com/",
    scopes: ["openid"], token: "id",
  };
  it("accepts the good Cognito config the rejections below start from", () => {
    expect(parseConfig({ apiUrl: "/api", auth: "cognito", cognito: good }, page).cognito).toEqual(good);
  });
  it.each([
    ["no cognito object", { apiUrl: "/api", auth: "cognito" }],
    ["the local form next to it", { apiUrl: "/api", auth: "cognito", localAuth: true, cognito: good }],
    ["an unknown mode", { apiUrl: "/api", auth: "oauth", cognito: good }],
    ["no client id", { apiUrl: "/api", auth: "cognito", cognito: { ...good, clientId: "" } }],
    ["a plain-http domain", { apiUrl: "/api", auth: "cognito", cognito: { ...good, domain: "http://evil.example" } }],
    ["a script URL", { apiUrl: "/api", auth: "cognito", cognito: { ...good, redirectUri: "javascript:alert(1)" } }],
    ["no openid scope", { apiUrl: "/api", auth: "cognito", cognito: { ...good, scopes: ["email"] } }],
    ["an unknown token", { apiUrl: "/api", auth: "cognito", cognito: { ...good, token: "refresh" } }],
  ])("rejects a Cognito config with %s", (_, raw) => {
    expect(() => parseConfig(raw, page)).toThrow(ConfigError);
  });
  it("reads gen dev's local signing pair", () => {
    const localSigning = { accessKeyId: "testing", secretAccessKey: "testing", region: "us-east-1" };
    expect(parseConfig({ apiUrl: "/api", localSigning }, page).localSigning).toEqual(localSigning);
  });
  it.each([[null], [[]], ["/api"], [{}], [{ apiUrl: "" }], [{ apiUrl: 42 }], [{ apiUrl: "/api", localAuth: "yes" }],
    [{ apiUrl: "/api", localSigning: { accessKeyId: "testing", region: "us-east-1" } }],
    [{ apiUrl: "/api", localSigning: "testing" }]])(
    "rejects %j",
    (raw) => {
      expect(() => parseConfig(raw, page)).toThrow(ConfigError);
    },
  );
});

describe("loadConfig", () => {
  it("fetches /config.json from the page's origin without caching", async () => {
    const fetchMock = vi.fn(async () => Response.json({ apiUrl: "/api" }));
    vi.stubGlobal("fetch", fetchMock);
    const config = await loadConfig(undefined, page);
    expect(config.apiUrl).toBe("http://localhost:3000/api");
    expect(fetchMock).toHaveBeenCalledTimes(1);
    const [url, init] = fetchMock.mock.calls[0] as unknown as [URL, RequestInit];
    expect(String(url)).toBe("http://localhost:3000/config.json");
    expect(init.cache).toBe("no-store");
  });

  it("reports an HTTP error, bad JSON and an unreachable server as ConfigError", async () => {
    vi.stubGlobal("fetch", vi.fn(async () => new Response("nope", { status: 404 })));
    await expect(loadConfig(undefined, page)).rejects.toThrow("Could not load /config.json: HTTP 404");
    vi.stubGlobal("fetch", vi.fn(async () => new Response("<html>", { status: 200 })));
    await expect(loadConfig(undefined, page)).rejects.toThrow("/config.json is not valid JSON");
    vi.stubGlobal(
      "fetch",
      vi.fn(async () => {
        throw new TypeError("fetch failed");
      }),
    );
    await expect(loadConfig(undefined, page)).rejects.toBeInstanceOf(ConfigError);
  });
});
