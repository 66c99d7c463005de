import { describe, expect, it } from "vitest";
import { ApiError, createApiClient, NetworkError, unwrap } from "./client";
import { installFakeApi } from "../test/fakeApi";

describe("createApiClient", () => {
  it("sends requests below the configured base URL with typed params", async () => {
    const api = installFakeApi();
    const client = createApiClient("http://localhost:3000/api", () => null);
    const page = await unwrap(client.GET("/devices", { params: { query: { limit: 5 } } }));
    expect(page.items).toHaveLength(5);
    expect(page.next).toEqual(expect.any(String));
    const call = api.calls[0]!;
    expect(call.url.href).toBe("http://localhost:3000/api/devices?limit=5");

    await unwrap(client.GET("/sites/{siteId}/devices", { params: { path: { siteId: "site osl/1" } } }));
    expect(api.calls[1]!.url.pathname).toBe("/api/sites/site%20osl%2F1/devices");
  });

  it("keeps a path prefix of an absolute base URL", async () => {
    const api = installFakeApi();
    const client = createApiClient("https://api.example.com/prod", () => null);
    await client.GET("/devices/{deviceId}", { params: { path: { deviceId: "dev-001" } } });
    expect(api.calls[0]!.url.href).toBe("https://api.example.com/prod/devices/dev-001");
  });

  it("adds the bearer token to protected operations only", async () => {
    const api = installFakeApi();
    const client = createApiClient("http://localhost:3000/api", () => "tok.en.");
    await client.GET("/devices");
    await client.GET("/me");
    expect(api.calls[0]!.headers.get("Authorization")).toBeNull();
    expect(api.calls[1]!.headers.get("Authorization")).toBe("Bearer tok.en.");
  });
});

describe("unwrap", () => {
  it("turns an error answer into ApiError with the API's message and status", async () => {
    installFakeApi();
    const client = createApiClient("http://localhost:3000/api", () => null);
    const err: unknown = await unwrap(
      client.GET("/devices/{deviceId}", { params: { path: { deviceId: "dev-xyz" } } }),
    ).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ApiError);
    expect(err).toMatchObject({ status: 404, message: "Not found" });
    await expect(unwrap(client.GET("/me"))).rejects.toMatchObject({ status: 401 });
  });

  it("turns a failed fetch into NetworkError", async () => {
    installFakeApi({ offline: true });
    const client = createApiClient("http://localhost:3000/api", () => null);
    await expect(unwrap(client.GET("/devices"))).rejects.toBeInstanceOf(NetworkError);
  });
});
