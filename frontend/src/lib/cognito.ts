// Sign-in on a deployed stage: the Cognito hosted UI, OAuth 2.0 authorization code flow with
// PKCE (S256), run by oidc-client-ts. The library is imported on demand (only when an operator signs in
// or comes back from the hosted UI), so the local dashboard's bundle does not carry it.
//
// Tokens: oidc-client-ts keeps its user (and the PKCE verifier while the browser is away) in
// sessionStorage; the token protected calls carry goes to `tokenStore` (also sessionStorage),
// which the API client reads. API Gateway's Cognito authorizer wants the ID token unless the
// operations demand scopes, then the access token (config `token`, decided by the generator).

import type { User, UserManager, UserManagerSettings } from "oidc-client-ts";
import type { CognitoConfig } from "../config";
import { tokenStore } from "./auth";

/** The dashboard's callback route; Terraform registers `<origin>/auth/callback` on the app client. */
export const CALLBACK_PATH = "/auth/callback";

/** Where to go after signing in: a path of this app, carried through the hosted UI as OAuth state. */
interface ReturnState {
  returnTo: string;
}

export class SignInError extends Error {
  override name = "SignInError";
}

type StoreClass = typeof import("oidc-client-ts").WebStorageStateStore;

/**
 * The UserManager settings for the pool. Metadata is given, not discovered: Cognito's discovery
 * document has no end-session endpoint, and it saves a request at sign-in.
 */
export function userManagerSettings(
  config: CognitoConfig,
  Store: StoreClass,
  storage: Storage = window.sessionStorage,
): UserManagerSettings {
  return {
    authority: config.issuer,
    client_id: config.clientId,
    redirect_uri: config.redirectUri,
    post_logout_redirect_uri: config.logoutUri,
    response_type: "code",
    scope: config.scopes.join(" "),
    metadata: {
      issuer: config.issuer,
      authorization_endpoint: `${config.domain}/oauth2/authorize`,
      token_endpoint: `${config.domain}/oauth2/token`,
      userinfo_endpoint: `${config.domain}/oauth2/userInfo`,
      revocation_endpoint: `${config.domain}/oauth2/revoke`,
      end_session_endpoint: `${config.domain}/logout`,
      jwks_uri: `${config.issuer}/.well-known/jwks.json`,
    },
    userStore: new Store({ store: storage, prefix: "fleet.oidc." }),
    stateStore: new Store({ store: storage, prefix: "fleet.oidc.state." }),
    loadUserInfo: false,
    automaticSilentRenew: false,
    monitorSession: false,
    redirectMethod: "assign",
  };
}

let library: Promise<typeof import("oidc-client-ts")> | null = null;
const managers = new Map<string, Promise<UserManager>>();

/** oidc-client-ts, loaded on first use (its own chunk of the build). */
function oidc(): Promise<typeof import("oidc-client-ts")> {
  library ??= import("oidc-client-ts");
  return library;
}

/** One UserManager per client, created on first use. */
export function userManager(config: CognitoConfig): Promise<UserManager> {
  const key = `${config.issuer} ${config.clientId}`;
  let found = managers.get(key);
  if (!found) {
    found = oidc().then(({ UserManager, WebStorageStateStore }) => new UserManager(userManagerSettings(config, WebStorageStateStore)));
    managers.set(key, found);
  }
  return found;
}

/** Test seam: forget the managers and pending callbacks (a new config, or a stubbed library). */
export function resetUserManagers(): void {
  managers.clear();
  callbacks.clear();
}

/** The token protected calls carry, from a signed-in user. */
export function apiToken(user: Pick<User, "id_token" | "access_token">, config: CognitoConfig): string {
  const token = config.token === "access" ? user.access_token : user.id_token;
  if (!token) throw new SignInError(`The sign-in returned no ${config.token === "access" ? "access" : "ID"} token`);
  return token;
}

/** A path of this app only (never another origin: the state comes back through the browser). */
function safeReturn(path: unknown): string {
  return typeof path === "string" && path.startsWith("/") && !path.startsWith("//") && path !== CALLBACK_PATH ? path : "/";
}

/**
 * Sends the browser to the hosted UI; it comes back to CALLBACK_PATH with a code. The request
 * (state, nonce, PKCE verifier) is stored in sessionStorage by the library's protocol client,
 * exactly as UserManager.signinRedirect does; the navigation is ours, so tests can see the URL.
 */
export async function startSignIn(
  config: CognitoConfig,
  returnTo: string,
  navigate: (url: string) => void = (u) => window.location.assign(u),
): Promise<void> {
  const { OidcClient, WebStorageStateStore } = await oidc();
  const client = new OidcClient(userManagerSettings(config, WebStorageStateStore));
  const state: ReturnState = { returnTo: safeReturn(returnTo) };
  const request = await client.createSigninRequest({ state, request_type: "si:r" });
  navigate(request.url);
}

const callbacks = new Map<string, Promise<{ token: string; returnTo: string }>>();

/**
 * Completes the sign-in at CALLBACK_PATH: exchanges the code (with the PKCE verifier) for tokens,
 * stores the API token, and says where to go back to. Once per callback URL: React's strict mode
 * runs effects twice, and a code can be exchanged only once.
 */
export function completeSignIn(config: CognitoConfig, url: string): Promise<{ token: string; returnTo: string }> {
  let pending = callbacks.get(url);
  if (!pending) {
    pending = (async () => {
      const params = new URL(url).searchParams;
      const error = params.get("error");
      if (error) throw new SignInError(`Sign-in failed: ${params.get("error_description") ?? error}`);
      const manager = await userManager(config);
      let user: User;
      try {
        user = await manager.signinRedirectCallback(url);
      } catch (err) {
        throw new SignInError(`Sign-in could not be completed: ${err instanceof Error ? err.message : String(err)}`);
      }
      const token = apiToken(user, config);
      tokenStore.set(token);
      return { token, returnTo: safeReturn((user.state as ReturnState | undefined)?.returnTo) };
    })();
    callbacks.set(url, pending);
  }
  return pending;
}

/** The hosted UI's logout URL: it ends the Cognito session, then returns to `logoutUri`. */
export function logoutUrl(config: CognitoConfig): string {
  const url = new URL(`${config.domain}/logout`);
  url.searchParams.set("client_id", config.clientId);
  url.searchParams.set("logout_uri", config.logoutUri);
  return url.href;
}

/**
 * Signs out: revokes the refresh token (best effort), forgets the tokens of this tab, and sends
 * the browser to the hosted UI's logout (which ends the Cognito session too).
 */
export async function signOut(config: CognitoConfig, navigate: (url: string) => void = (u) => window.location.assign(u)): Promise<void> {
  tokenStore.set(null);
  try {
    const manager = await userManager(config);
    try {
      await manager.revokeTokens(["refresh_token"]);
    } catch {
      /* already expired or revoked, or offline: the logout below still ends the session */
    }
    await manager.removeUser();
  } finally {
    navigate(logoutUrl(config));
  }
}
