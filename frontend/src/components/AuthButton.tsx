import { useLocation } from "react-router-dom";
import { useApi } from "../api/context";
import { startSignIn } from "../lib/cognito";

/** Sign in / Sign out in the header of a stage that signs in with Cognito (nothing otherwise). */
export function AuthButton() {
  const { config, token, signOut } = useApi();
  const { pathname, search } = useLocation();
  if (config.auth !== "cognito" || !config.cognito) return null;
  const cognito = config.cognito;
  return token ? (
    <button type="button" className="button button-secondary" onClick={signOut} data-testid="header-sign-out">
      Sign out
    </button>
  ) : (
    <button
      type="button"
      className="button"
      onClick={() => void startSignIn(cognito, pathname + search)}
      data-testid="header-sign-in"
    >
      Sign in
    </button>
  );
}
