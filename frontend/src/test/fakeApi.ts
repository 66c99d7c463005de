// A stand-in for the API behind `fetch`, for unit tests only (the e2e tests run the real local
// stack). It follows spec/openapi.yaml: cursor pages {items, next}, 404 {message}, 401 on /me
// without a valid token, 202 per-event results on POST /events, and applies accepted
// reading.recorded events to the device after `processDelayMs`, like the async processor.
import { vi } from "vitest";
import type { Device, Profile, Reading, Site } from "../api/client";
import * as seed from "./seed";

export const PAGE_URL = "http://localhost:3000/";
export const API_BASE = "http://localhost:3000/api";

export interface FakeApiOptions {
  /** body of /config.json; null answers 404 */
  config?: unknown;
  processDelayMs?: number;
  /** make every request fail at the network level */
  offline?: boolean;
  devices?: Device[];
}

export interface RecordedCall {
  method: string;
  url: URL;
  headers: Headers;
  body: unknown;
}

const clone = <T>(v: T): T => structuredClone(v);

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
}

function page<T>(items: T[], url: URL): Response {
  const limitRaw = url.searchParams.get("limit");
  const limit = limitRaw === null ? 100 : Number(limitRaw);
  if (!Number.isInteger(limit) || limit < 1 || limit > 100) return json(400, { message: "Invalid limit" });
  const cursor = url.searchParams.get("cursor");
  let start = 0;
  if (cursor) {
    try {
      start = (JSON.parse(atob(cursor)) as { i: number }).i;
    } catch {
      return json(400, { message: "Invalid cursor" });
    }
  }
  const slice = items.slice(start, start + limit);
  const end = start + slice.length;
  return json(200, { items: slice, next: end < items.length ? btoa(JSON.stringify({ i: end })) : null });
}

function claimsOf(header: string | null): { sub: string; exp?: number } | null {
  if (!header) return null;
  const token = header.replace(/^Bearer\s+/i, "");
  const parts = token.split(".");
  if (parts.length !== 3 || !parts[1]) return null;
  try {
    const b64 = parts[1].replace(/-/g, "+").replace(/_/g, "/");
    const bin = atob(b64 + "=".repeat((4 - (b64.length % 4)) % 4));
    const claims = JSON.parse(new TextDecoder().decode(Uint8Array.from(bin, (c) => c.charCodeAt(0)))) as {
      sub?: unknown;
      exp?: unknown;
    };
    if (typeof claims.sub !== "string") return null;
    if (typeof claims.exp === "number" && claims.exp * 1000 < Date.now()) return null;
    return { sub: claims.sub };
  } catch {
    return null;
  }
}

export function installFakeApi(opts: FakeApiOptions = {}) {
  const state = {
    sites: clone(seed.sites) as Site[],
    devices: clone(opts.devices ?? seed.devices) as Device[],
    readings: clone(seed.readings) as Reading[],
    profiles: clone(seed.profiles) as Profile[],
    events: [] as unknown[],
  };
  const calls: RecordedCall[] = [];
  let sequence = 49650000000000000000n;

  const apply = (event: { type: string; data: Reading & { humidity?: number | null } }) => {
    if (event.type !== "reading.recorded") return;
    const d = event.data;
    const device = state.devices.find((x) => x.deviceId === d.deviceId);
    if (!device) return;
    const humidity = d.humidity ?? null;
    state.readings.push({ ...d, humidity, expiresAt: 4102444800 });
    device.lastReading = { time: d.time, temperature: d.temperature, humidity, battery: d.battery };
    device.lastSeen = d.time;
    device.status = "online";
  };

  const handle = async (method: string, url: URL, headers: Headers, body: unknown): Promise<Response> => {
    if (url.pathname === "/config.json") {
      return opts.config === null ? json(404, { message: "Not Found" }) : json(200, opts.config ?? { apiUrl: "/api" });
    }
    if (!url.pathname.startsWith("/api/")) return json(404, { message: "Not Found" });
    const path = url.pathname.slice("/api".length).split("/").map(decodeURIComponent);
    // path: ["", "devices", ...]
    const [, head, id, sub] = path;
    if (method === "GET" && head === "sites" && id === undefined) return page(state.sites, url);
    if (method === "GET" && head === "sites" && id && sub === "devices" && path.length === 4)
      return page(
        state.devices.filter((d) => d.siteId === id),
        url,
      );
    if (method === "GET" && head === "sites" && id && path.length === 3) {
      const site = state.sites.find((s) => s.siteId === id);
      return site ? json(200, site) : json(404, { message: "Not found" });
    }
    if (method === "GET" && head === "devices" && id === undefined) return page(state.devices, url);
    if (method === "GET" && head === "devices" && id && path.length === 3) {
      const device = state.devices.find((d) => d.deviceId === id);
      return device ? json(200, device) : json(404, { message: "Not found" });
    }
    if (method === "GET" && head === "devices" && id && sub === "readings" && path.length === 4) {
      const since = url.searchParams.get("since");
      const until = url.searchParams.get("until");
      const items = state.readings
        .filter((r) => r.deviceId === id && (!since || r.time >= since) && (!until || r.time <= until))
        .sort((a, b) => (a.time < b.time ? 1 : -1));
      return page(items, url);
    }
    if (method === "GET" && head === "me" && path.length === 2) {
      const claims = claimsOf(headers.get("Authorization"));
      if (!claims) return json(401, { message: "Unauthorized" });
      const profile = state.profiles.find((p) => p.userId === claims.sub);
      return profile ? json(200, profile) : json(404, { message: "Not found" });
    }
    if (method === "POST" && head === "events" && path.length === 2) {
      // SigV4 (IAM) like the real route: no signature, no entry (the signature itself is
      // checked by gen dev with botocore; here its shape)
      if (!/^AWS4-HMAC-SHA256 Credential=[^/]+\/\d{8}\/[a-z0-9-]+\/execute-api\/aws4_request, /.test(headers.get("Authorization") ?? ""))
        return json(403, { message: "Missing Authentication Token" });
      if (!Array.isArray(body) || body.length < 1 || body.length > 500)
        return json(400, { message: "Invalid request body" });
      const results = body.map((e: unknown) => {
        const ev = e as Record<string, unknown>;
        const ok =
          ev.specversion === "1.0" &&
          typeof ev.id === "string" &&
          typeof ev.source === "string" &&
          typeof ev.type === "string" &&
          typeof ev.time === "string" &&
          typeof ev.subject === "string" &&
          typeof ev.data === "object";
        if (!ok) return { status: "failed", sequenceNumber: null, error: "not a CloudEvent" };
        state.events.push(ev);
        setTimeout(() => apply(ev as Parameters<typeof apply>[0]), opts.processDelayMs ?? 30);
        sequence += 1n;
        return { status: "accepted", sequenceNumber: String(sequence), error: null };
      });
      return json(202, { failed: results.filter((r) => r.status === "failed").length, results });
    }
    return json(403, { message: "Missing Authentication Token" });
  };

  const fetchMock = vi.fn(async (input: RequestInfo | URL, init?: RequestInit): Promise<Response> => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), PAGE_URL), init);
    const url = new URL(request.url);
    const text = request.method === "GET" ? "" : await request.text();
    const body: unknown = text ? JSON.parse(text) : undefined;
    calls.push({ method: request.method, url, headers: request.headers, body });
    if (opts.offline) throw new TypeError("fetch failed");
    return handle(request.method, url, request.headers, body);
  });
  vi.stubGlobal("fetch", fetchMock);

  return {
    state,
    calls,
    fetchMock,
    /** calls to the API whose path (below /api) equals `path` */
    callsTo(path: string, method = "GET") {
      return calls.filter((c) => c.method === method && c.url.pathname === `/api${path}`);
    },
  };
}
