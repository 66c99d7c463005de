import createClient from "openapi-fetch";
import type { components, paths } from "./schema";
import { SigningUnavailable, type RequestSigner } from "../lib/signing";

export type Schemas = components["schemas"];
export type Device = Schemas["Device"];
export type Site = Schemas["Site"];
export type Reading = Schemas["Reading"];
export type Measurement = Schemas["Measurement"];
export type Profile = Schemas["Profile"];
export type IngestResult = Schemas["IngestResult"];
export type DeviceStatus = Device["status"];

export type ApiClient = ReturnType<typeof createClient<paths>>;

/**
 * Paths whose operations declare Cognito security. Only these get the Authorization header, so
 * the public GETs stay CORS "simple requests" (no preflight) when the API is on another origin.
 */
export const PROTECTED_PATHS: ReadonlySet<string> = new Set<keyof paths>(["/me"]);

/** Paths whose operations take AWS SigV4 (IAM): their requests go through `sign`. */
export const SIGNED_PATHS: ReadonlySet<string> = new Set<keyof paths>(["/events"]);

export function createApiClient(
  baseUrl: string,
  getToken: () => string | null,
  sign: RequestSigner = (request) => Promise.resolve(request),
): ApiClient {
  const client = createClient<paths>({
    baseUrl,
    // Look fetch up per call (not once at creation), so a replaced global is honoured.
    fetch: (request) => globalThis.fetch(request),
  });
  client.use({
    onRequest({ request, schemaPath }) {
      if (SIGNED_PATHS.has(schemaPath)) return sign(request);
      const token = getToken();
      if (token && PROTECTED_PATHS.has(schemaPath) && !request.headers.has("Authorization")) {
        request.headers.set("Authorization", `Bearer ${token}`);
      }
      return request;
    },
  });
  return client;
}

/** An API answer other than 2xx. `message` is the API's `{message}` when it sent one. */
export class ApiError extends Error {
  override name = "ApiError";
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The API could not be reached at all (DNS, refused connection, CORS, offline). */
export class NetworkError extends Error {
  override name = "NetworkError";
}

function messageOf(error: unknown, response: Response): string {
  if (typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string") {
    return (error as { message: string }).message;
  }
  if (typeof error === "string" && error.trim()) return error;
  return `HTTP ${response.status}${response.statusText ? ` ${response.statusText}` : ""}`;
}

/** Awaits an openapi-fetch call; returns its data or throws ApiError / NetworkError. */
export async function unwrap<D>(call: Promise<{ data?: D; error?: unknown; response: Response }>): Promise<D> {
  let result: { data?: D; error?: unknown; response: Response };
  try {
    result = await call;
  } catch (err) {
    if (err instanceof DOMException && err.name === "AbortError") throw err;
    if (err instanceof SigningUnavailable) throw err;
    throw new NetworkError(`Could not reach the API: ${err instanceof Error ? err.message : String(err)}`);
  }
  const { data, error, response } = result;
  if (!response.ok || error !== undefined) throw new ApiError(response.status, messageOf(error, response));
  return data as D;
}

export function isStatus(err: unknown, status: number): boolean {
  return err instanceof ApiError && err.status === status;
}
