// Runtime configuration: the same build runs under `gen dev` and in AWS, so where the API lives
// is read at start-up from /config.json (served by gen dev; written to the bucket by Terraform).

/** AWS credentials the dashboard signs SigV4-protected requests with (`gen dev`'s local pair). */
export interface SigningConfig {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

export interface AppConfig {
  /** Absolute base URL of the API, without a trailing slash. */
  apiUrl: string;
  /** Whether to offer the local (unsigned token) sign-in of `gen dev`. Default true. */
  localAuth: boolean;
  /** Only `gen dev` serves it: the key pair that signs requests to SigV4 routes (POST /events). */
  localSigning?: SigningConfig;
}

export class ConfigError extends Error {
  override name = "ConfigError";
}

export const CONFIG_URL = "/config.json";

/** `apiUrl` may be relative ("/api") or absolute; resolve it against the page's URL. */
export function resolveApiUrl(apiUrl: string, pageUrl: string): string {
  return new URL(apiUrl, pageUrl).href.replace(/\/+$/, "");
}

export function parseConfig(raw: unknown, pageUrl: string): AppConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError("config.json must be a JSON object");
  }
  const obj = raw as Record<string, unknown>;
  if (typeof obj.apiUrl !== "string" || obj.apiUrl.trim() === "") {
    throw new ConfigError('config.json needs "apiUrl", a non-empty string such as "/api"');
  }
  if (obj.localAuth !== undefined && typeof obj.localAuth !== "boolean") {
    throw new ConfigError('config.json "localAuth" must be true or false');
  }
  const config: AppConfig = {
    apiUrl: resolveApiUrl(obj.apiUrl.trim(), pageUrl),
    localAuth: obj.localAuth ?? true,
  };
  if (obj.localSigning !== undefined) config.localSigning = parseSigning(obj.localSigning);
  return config;
}

function parseSigning(raw: unknown): SigningConfig {
  const obj = (typeof raw === "object" && raw !== null ? raw : {}) as Record<string, unknown>;
  const keys = ["accessKeyId", "secretAccessKey", "region"] as const;
  if (keys.some((k) => typeof obj[k] !== "string" || obj[k] === "")) {
    throw new ConfigError('config.json "localSigning" needs "accessKeyId", "secretAccessKey" and "region" strings');
  }
  return { accessKeyId: obj.accessKeyId as string, secretAccessKey: obj.secretAccessKey as string, region: obj.region as string };
}

export async function loadConfig(
  url: string = CONFIG_URL,
  pageUrl: string = window.location.href,
): Promise<AppConfig> {
  let response: Response;
  try {
    response = await fetch(new URL(url, pageUrl), { cache: "no-store", headers: { Accept: "application/json" } });
  } catch (err) {
    throw new ConfigError(`Could not load ${url}: ${err instanceof Error ? err.message : String(err)}`);
  }
  if (!response.ok) throw new ConfigError(`Could not load ${url}: HTTP ${response.status}`);
  let raw: unknown;
  try {
    raw = await response.json();
  } catch {
    throw new ConfigError(`${url} is not valid JSON`);
  }
  return parseConfig(raw, pageUrl);
}
