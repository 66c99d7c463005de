import { render } from "@testing-library/react";
import { MemoryRouter } from "react-router-dom";
import { App } from "../App";
import { createQueryClient } from "../api/queries";
import type { AppConfig } from "../config";
import { API_BASE } from "./fakeApi";

export const testConfig: AppConfig = {
  apiUrl: API_BASE,
  localAuth: true,
  localSigning: { accessKeyId: "testing", secretAccessKey: "testing", region: "us-east-1" },
};

/** Renders the whole app at `path`, as the router would after a deep link. */
export function renderApp(path = "/", config: AppConfig = testConfig) {
  const queryClient = createQueryClient({ retry: false });
  const result = render(
    <MemoryRouter initialEntries={[path]}>
      <App config={config} queryClient={queryClient} />
    </MemoryRouter>,
  );
  return { ...result, queryClient };
}
