import { useId, useState, type FormEvent } from "react";
import { Link } from "react-router-dom";
import { isStatus } from "../api/client";
import { useApi } from "../api/context";
import { useProfile } from "../api/queries";
import { ErrorState, Loading } from "../components/States";
import type { CognitoConfig } from "../config";
import { mintLocalToken } from "../lib/auth";
import { startSignIn } from "../lib/cognito";
import { formatAbsolute } from "../lib/format";
import { useDocumentTitle } from "../lib/hooks";

function LocalSignIn() {
  const { signIn } = useApi();
  const [sub, setSub] = useState("local-operator");
  const inputId = useId();
  const onSubmit = (e: FormEvent) => {
    e.preventDefault();
    if (sub.trim()) signIn(mintLocalToken(sub.trim()));
  };
  return (
    <form className="form form-inline" onSubmit={onSubmit} aria-label="Local sign-in" data-testid="local-sign-in">
      <div className="field">
        <label htmlFor={inputId}>User ID (token subject)</label>
        <input
          id={inputId}
          name="sub"
          value={sub}
          onChange={(e) => setSub(e.target.value)}
          required
          autoComplete="username"
          spellCheck={false}
        />
      </div>
      <button type="submit" className="button" disabled={!sub.trim()}>
        Sign in
      </button>
      <p className="muted small form-note">
        Local stack only: mints an unsigned token (<code>alg: none</code>) kept in this tab's session storage.
      </p>
    </form>
  );
}

function CognitoSignIn({ config }: { config: CognitoConfig }) {
  return (
    <button type="button" className="button" onClick={() => void startSignIn(config, "/me")} data-testid="cognito-sign-in">
      Sign in
    </button>
  );
}

export function ProfilePage() {
  useDocumentTitle("Profile");
  const { token, claims, config, signOut } = useApi();
  const profile = useProfile();

  const signOutButton = token ? (
    <button type="button" className="button button-secondary" onClick={signOut} data-testid="sign-out">
      Sign out
    </button>
  ) : null;

  let body;
  if (profile.isPending) {
    body = <Loading label="Loading profile…" />;
  } else if (profile.isError && isStatus(profile.error, 401)) {
    body = (
      <div className="state state-auth" data-testid="sign-in-required">
        <h2 className="state-title">Sign in required</h2>
        <p>
          {token
            ? "The API did not accept your token (it may have expired). Sign in again."
            : "Your profile is only shown to signed-in operators."}
        </p>
        {config.auth === "cognito" && config.cognito ? (
          <CognitoSignIn config={config.cognito} />
        ) : config.localAuth ? (
          <LocalSignIn />
        ) : (
          <p className="muted">This stage has no sign-in.</p>
        )}
        {signOutButton}
      </div>
    );
  } else if (profile.isError && isStatus(profile.error, 404)) {
    body = (
      <div className="state state-empty" data-testid="profile-missing">
        <h2 className="state-title">No profile for {claims?.sub ?? "this user"}</h2>
        <p className="muted">You are signed in, but no operator profile exists for this user.</p>
        {signOutButton}
      </div>
    );
  } else if (profile.isError) {
    body = <ErrorState error={profile.error} title="Profile could not be loaded" onRetry={() => void profile.refetch()} />;
  } else {
    const p = profile.data;
    body = (
      <div className="card" data-testid="profile">
        <h2 className="card-title" data-testid="profile-name">
          {p.displayName}
        </h2>
        <dl className="facts">
          <div>
            <dt>User ID</dt>
            <dd className="mono">{p.userId}</dd>
          </div>
          <div>
            <dt>Email</dt>
            <dd>{p.email ?? "—"}</dd>
          </div>
          <div>
            <dt>Role</dt>
            <dd data-testid="profile-role">{p.role}</dd>
          </div>
          <div>
            <dt>Sites</dt>
            <dd>
              {p.siteIds && p.siteIds.length > 0 ? (
                <ul className="inline-list">
                  {p.siteIds.map((s) => (
                    <li key={s}>
                      <Link to={`/?site=${encodeURIComponent(s)}`}>{s}</Link>
                    </li>
                  ))}
                </ul>
              ) : (
                "—"
              )}
            </dd>
          </div>
          {claims?.exp ? (
            <div>
              <dt>Session expires</dt>
              <dd>{formatAbsolute(new Date(claims.exp * 1000).toISOString())}</dd>
            </div>
          ) : null}
        </dl>
        {signOutButton}
      </div>
    );
  }

  return (
    <section aria-labelledby="profile-title">
      <div className="page-head">
        <h1 id="profile-title">Profile</h1>
      </div>
      <p className="visually-hidden" role="status">
        {profile.isPending
          ? ""
          : profile.isError
            ? isStatus(profile.error, 401)
              ? "Sign in required"
              : "Profile unavailable"
            : `Signed in as ${profile.data.displayName}`}
      </p>
      {body}
    </section>
  );
}
