import "@testing-library/jest-dom/vitest";
import { cleanup, configure } from "@testing-library/react";
import { TextEncoder as NodeTextEncoder } from "node:util";
import { afterEach } from "vitest";

// jsdom's TextEncoder makes byte arrays of jsdom's realm, which Node's WebCrypto (what the
// SigV4 signer hashes with, as a browser's would) refuses; a browser has one realm. Use Node's.
globalThis.TextEncoder = NodeTextEncoder as unknown as typeof TextEncoder;

// jsdom has no layout engine. recharts' ResponsiveContainer sizes the chart from a
// ResizeObserver: report a fixed box so the chart renders its SVG as in a browser.
class FixedSizeResizeObserver {
  private readonly callback: ResizeObserverCallback;
  constructor(callback: ResizeObserverCallback) {
    this.callback = callback;
  }
  observe(target: Element): void {
    const rect = { x: 0, y: 0, top: 0, left: 0, bottom: 280, right: 600, width: 600, height: 280 };
    const entry = { target, contentRect: { ...rect, toJSON: () => rect } } as unknown as ResizeObserverEntry;
    queueMicrotask(() => this.callback([entry], this as unknown as ResizeObserver));
  }
  unobserve(): void {}
  disconnect(): void {}
}
// findBy*/waitFor default to 1 s; on a loaded 2-core CI machine a render can take longer.
configure({ asyncUtilTimeout: 10000 });

globalThis.ResizeObserver = FixedSizeResizeObserver as unknown as typeof ResizeObserver;

// recharts measures once with getBoundingClientRect (0×0 in jsdom) before the observer reports,
// and warns about it. Drop that one message; everything else still reaches the console.
const warn = console.warn.bind(console);
console.warn = (...args: unknown[]) => {
  if (typeof args[0] === "string" && args[0].startsWith("The width(0) and height(0) of chart")) return;
  warn(...args);
};

afterEach(() => {
  cleanup();
  sessionStorage.clear();
});
