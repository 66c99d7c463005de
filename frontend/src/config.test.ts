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
      localAuth: true,
    });
    expect(parseConfig({ apiUrl: "/api", localAuth: false }, page).localAuth).toBe(false);
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
