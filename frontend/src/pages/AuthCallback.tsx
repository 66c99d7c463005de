import { useEffect, useState } from "react";
import { useLocation, useNavigate } from "react-router-dom";
import { useApi } from "../api/context";
import { completeSignIn, startSignIn } from "../lib/cognito";
import { useDocumentTitle } from "../lib/hooks";

/** /auth/callback: where the Cognito hosted UI sends the browser back with a code. */
export function AuthCallback() {
  useDocumentTitle("Signing in");
  const { config, signIn } = useApi();
  const navigate = useNavigate();
  const { pathname, search } = useLocation();
  const [error, setError] = useState<string | null>(null);
  const cognito = config.auth === "cognito" ? config.cognito : undefined;

  useEffect(() => {
    if (!cognito) return;
    let live = true;
    // the router's location (the page's in the browser), with the code and state the hosted UI sent
    completeSignIn(cognito, new URL(pathname + search, window.location.origin).href).then(
      ({ token, returnTo }) => {
        if (!live) return;
        signIn(token);
        navigate(returnTo, { replace: true });
      },
      (err: unknown) => live && setError(err instanceof Error ? err.message : String(err)),
    );
    return () => {
      live = false;
    };
  }, [cognito, signIn, navigate, pathname, search]);

  if (!cognito) {
    return (
      <div className="state state-empty" data-testid="auth-callback-unused">
        <h1 className="state-title">Nothing to sign in to</h1>
        <p className="muted">This stage does not sign in with Cognito.</p>
      </div>
    );
  }
  if (error) {
    return (
      <div className="state state-error" role="alert" data-testid="auth-callback-error">
        <h1 className="state-title">Sign-in failed</h1>
        <p className="state-detail">{error}</p>
        <button type="button" className="button" onClick={() => void startSignIn(cognito, "/me")}>
          Sign in again
        </button>
      </div>
    );
  }
  return (
    <div className="state state-loading" role="status" data-testid="auth-callback">
      <span className="spinner" aria-hidden="true" />
      Signing in…
    </div>
  );
}
