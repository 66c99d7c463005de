import { lazy, Suspense } from "react";
import { QueryClientProvider, type QueryClient } from "@tanstack/react-query";
import { Route, Routes } from "react-router-dom";
import { ApiProvider } from "./api/context";
import { Layout } from "./components/Layout";
import { Loading } from "./components/States";
import type { AppConfig } from "./config";
import { FleetOverview } from "./pages/FleetOverview";
import { AuthCallback } from "./pages/AuthCallback";
import { NotFoundPage } from "./pages/NotFoundPage";
import { ProfilePage } from "./pages/ProfilePage";
import { SitesPage } from "./pages/SitesPage";

// The device page carries the chart library; load it on demand to keep the first load small.
const DeviceDetail = lazy(() => import("./pages/DeviceDetail"));

export function AppRoutes() {
  return (
    <Routes>
      <Route element={<Layout />}>
        <Route index element={<FleetOverview />} />
        <Route
          path="devices/:deviceId"
          element={
            <Suspense fallback={<Loading label="Loading device…" />}>
              <DeviceDetail />
            </Suspense>
          }
        />
        <Route path="sites" element={<SitesPage />} />
        <Route path="me" element={<ProfilePage />} />
        <Route path="auth/callback" element={<AuthCallback />} />
        <Route path="*" element={<NotFoundPage />} />
      </Route>
    </Routes>
  );
}

/** The app inside a router (BrowserRouter in the page, MemoryRouter in tests). */
export function App({ config, queryClient }: { config: AppConfig; queryClient: QueryClient }) {
  return (
    <QueryClientProvider client={queryClient}>
      <ApiProvider config={config}>
        <AppRoutes />
      </ApiProvider>
    </QueryClientProvider>
  );
}
