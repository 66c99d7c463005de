import { createContext, useCallback, useContext, useMemo, useState, type ReactNode } from "react";
import { useQueryClient } from "@tanstack/react-query";
import { createApiClient, type ApiClient } from "./client";
import type { AppConfig } from "../config";
import { decodeClaims, tokenStore, type Claims } from "../lib/auth";
import { signOut as cognitoSignOut } from "../lib/cognito";
import { createSigner } from "../lib/signing";

interface ApiContextValue {
  client: ApiClient;
  config: AppConfig;
  token: string | null;
  claims: Claims | null;
  /** Keep a token (the local form's, or the one the Cognito callback stored). */
  signIn(token: string): void;
  /** Forget the token; on a Cognito stage also end the hosted UI session (a redirect). */
  signOut(): void;
}

const ApiContext = createContext<ApiContextValue | null>(null);

export function ApiProvider({ config, children }: { config: AppConfig; children: ReactNode }) {
  const queryClient = useQueryClient();
  const [token, setToken] = useState<string | null>(() => tokenStore.get());
  // The client reads the token at request time from storage, the single source of truth.
  const client = useMemo(
    () => createApiClient(config.apiUrl, () => tokenStore.get(), createSigner(config.localSigning)),
    [config.apiUrl, config.localSigning],
  );
  const signIn = useCallback(
    (t: string) => {
      tokenStore.set(t);
      setToken(t);
      void queryClient.invalidateQueries({ queryKey: ["me"] });
    },
    [queryClient],
  );
  const signOut = useCallback(() => {
    tokenStore.set(null);
    setToken(null);
    queryClient.removeQueries({ queryKey: ["me"] });
    const cognito = config.auth === "cognito" ? config.cognito : undefined;
    if (cognito) void cognitoSignOut(cognito);
  }, [queryClient, config.auth, config.cognito]);
  const value = useMemo<ApiContextValue>(
    () => ({ client, config, token, claims: token ? decodeClaims(token) : null, signIn, signOut }),
    [client, config, token, signIn, signOut],
  );
  return <ApiContext.Provider value={value}>{children}</ApiContext.Provider>;
}

export function useApi(): ApiContextValue {
  const value = useContext(ApiContext);
  if (!value) throw new Error("useApi must be used inside <ApiProvider>");
  return value;
}
