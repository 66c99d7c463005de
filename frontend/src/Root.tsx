import { useCallback, useEffect, useState } from "react";
import type { QueryClient } from "@tanstack/react-query";
import { App } from "./App";
import { CONFIG_URL, loadConfig, type AppConfig } from "./config";

type State = { kind: "loading" } | { kind: "ready"; config: AppConfig } | { kind: "error"; message: string };

/** Loads /config.json, then renders the app with an API client for its `apiUrl`. */
export function Root({ queryClient, configUrl = CONFIG_URL }: { queryClient: QueryClient; configUrl?: string }) {
  const [state, setState] = useState<State>({ kind: "loading" });
  const load = useCallback(() => {
    setState({ kind: "loading" });
    loadConfig(configUrl).then(
      (config) => setState({ kind: "ready", config }),
      (err: unknown) => setState({ kind: "error", message: err instanceof Error ? err.message : String(err) }),
    );
  }, [configUrl]);
  useEffect(load, [load]);

  if (state.kind === "ready") return <App config={state.config} queryClient={queryClient} />;
  if (state.kind === "error") {
    return (
      <main className="app-main boot" id="main">
        <div className="state state-error" role="alert" data-testid="config-error">
          <h1 className="state-title">The dashboard could not start</h1>
          <p className="state-detail">{state.message}</p>
          <button type="button" className="button" onClick={load}>
            Try again
          </button>
        </div>
      </main>
    );
  }
  return (
    <main className="app-main boot" id="main">
      <div className="state state-loading" role="status" data-testid="loading">
        <span className="spinner" aria-hidden="true" />
        Starting…
      </div>
    </main>
  );
}
