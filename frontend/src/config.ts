// Runtime configuration: the same build runs under `gen dev` and in AWS, so where the API lives
// is read at start-up from /config.json (served by gen dev; written to the bucket by Terraform).

/** AWS credentials the dashboard signs SigV4-protected requests with (`gen dev`'s local pair). */
export interface SigningConfig {
  accessKeyId: string;
  secretAccessKey: string;
  region: string;
}

/**
 * How operators sign in: `local` is `gen dev`'s token form (unsigned tokens, never in AWS),
 * `cognito` the deployed stage's hosted UI (authorization code flow with PKCE), `none` no sign-in.
 */
export type AuthMode = "local" | "cognito" | "none";

/** The Cognito hosted UI and app client the deployed dashboard signs in with (Terraform writes it). */
export interface CognitoConfig {
  /** Origin of the hosted UI: https://<prefix>.auth.<region>.amazoncognito.com */
  domain: string;
  /** The user pool's issuer: https://cognito-idp.<region>.amazonaws.com/<pool id> */
  issuer: string;
  clientId: string;
  /** This app's callback route (/auth/callback on its own origin). */
  redirectUri: string;
  /** Where the hosted UI's logout sends the browser back. */
  logoutUri: string;
  scopes: string[];
  /** Which token protected calls carry: API Gateway wants the ID token unless operations demand scopes. */
  token: "id" | "access";
}

export interface AppConfig {
  /** Absolute base URL of the API, without a trailing slash. */
  apiUrl: string;
  /** How to sign in (default: `local`, or `none` when an older config says `localAuth: false`). */
  auth?: AuthMode;
  /** Whether to offer the local (unsigned token) sign-in of `gen dev`: exactly when auth is local. */
  localAuth: boolean;
  /** Present exactly when auth is `cognito`. */
  cognito?: CognitoConfig;
  /** Only `gen dev` serves it: the key pair that signs requests to SigV4 routes (POST /events). */
  localSigning?: SigningConfig;
}

const AUTH_MODES: readonly AuthMode[] = ["local", "cognito", "none"];

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
  if (obj.auth !== undefined && !AUTH_MODES.includes(obj.auth as AuthMode)) {
    throw new ConfigError(`config.json "auth" must be one of ${AUTH_MODES.join(", ")}`);
  }
  const auth: AuthMode = (obj.auth as AuthMode | undefined) ?? (obj.localAuth === false ? "none" : "local");
  if (obj.localAuth === true && auth !== "local") {
    // the unsigned local token form must never be offered next to a real sign-in
    throw new ConfigError(`config.json says "localAuth": true but "auth": "${auth}"`);
  }
  const config: AppConfig = {
    apiUrl: resolveApiUrl(obj.apiUrl.trim(), pageUrl),
    auth,
    localAuth: auth === "local",
  };
  if (auth === "cognito") config.cognito = parseCognito(obj.cognito);
  if (obj.localSigning !== undefined) config.localSigning = parseSigning(obj.localSigning);
  return config;
}

/** `raw` unchanged when it is an https URL (http only for localhost); else a ConfigError. */
function absoluteUrl(raw: unknown, key: string): string {
  if (typeof raw === "string") {
    try {
      const url = new URL(raw);
      const local = url.hostname === "localhost" || url.hostname === "127.0.0.1";
      if (url.protocol === "https:" || (url.protocol === "http:" && local)) return raw;
    } catch {
      /* reported below */
    }
  }
  throw new ConfigError(`config.json "cognito.${key}" must be an https URL`);
}

function parseCognito(raw: unknown): CognitoConfig {
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw new ConfigError('config.json says "auth": "cognito" but has no "cognito" object');
  }
  const obj = raw as Record<string, unknown>;
  if (typeof obj.clientId !== "string" || obj.clientId === "") {
    throw new ConfigError('config.json "cognito.clientId" must be a non-empty string');
  }
  const scopes = obj.scopes ?? ["openid"];
  if (!Array.isArray(scopes) || !scopes.every((s) => typeof s === "string" && s !== "") || !scopes.includes("openid")) {
    throw new ConfigError('config.json "cognito.scopes" must be a list of scopes that includes "openid"');
  }
  const token = obj.token ?? "id";
  if (token !== "id" && token !== "access") {
    throw new ConfigError('config.json "cognito.token" must be "id" or "access"');
  }
  return {
    domain: absoluteUrl(obj.domain, "domain").replace(/\/+$/, ""),
    issuer: absoluteUrl(obj.issuer, "issuer").replace(/\/+$/, ""),
    clientId: obj.clientId,
    // kept exactly as registered on the app client: Cognito compares them character for character
    redirectUri: absoluteUrl(obj.redirectUri, "redirectUri"),
    logoutUri: absoluteUrl(obj.logoutUri, "logoutUri"),
    scopes: scopes as string[],
    token,
  };
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
