// Runtime configuration: the same build runs under `gen dev` and in AWS, so where the API lives
// is read at start-up from /config.json (served by gen dev; written to the bucket by Terraform).

export interface AppConfig {
  /** Absolute base URL of the API, without a trailing slash. */
  apiUrl: string;
  /** Whether to offer the local (unsigned token) sign-in of `gen dev`. Default true. */
  localAuth: boolean;
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
  return {
    apiUrl: resolveApiUrl(obj.apiUrl.trim(), pageUrl),
    localAuth: obj.localAuth ?? true,
  };
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
