/// <reference types="vitest/config" />
import { defineConfig } from "vite";
import react from "@vitejs/plugin-react";

// `npm run dev` talks to a running `gen dev` (default http://127.0.0.1:8000), which serves the
// API under /api and the runtime config at /config.json. Override with GEN_DEV_URL.
const genDevUrl = process.env.GEN_DEV_URL ?? "http://127.0.0.1:8000";

export default defineConfig({
  // Root-relative asset URLs: deep links such as /devices/dev-001 get index.html from the
  // server (gen dev, CloudFront) and must still find /assets/*.
  base: "/",
  plugins: [react()],
  server: {
    proxy: {
      "/api": { target: genDevUrl, changeOrigin: true },
      "/config.json": { target: genDevUrl, changeOrigin: true },
    },
  },
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
  },
  test: {
    environment: "jsdom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    reporters: ["default", "./scripts/vitest-summary.ts"],
    restoreMocks: true,
    unstubGlobals: true,
    env: { TZ: "UTC" },
    testTimeout: 20000,
    pool: "threads",
    maxWorkers: 2,
  },
});
