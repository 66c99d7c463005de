// Formatting helpers. Numbers use a fixed locale so the UI (and tests) read the same everywhere;
// dates are shown in the viewer's time zone unless one is given.

export const EMPTY = "—";

const numberFormat = new Intl.NumberFormat("en", { maximumFractionDigits: 2 });
const relativeFormat = new Intl.RelativeTimeFormat("en", { numeric: "auto" });

/** A number with its unit, or "—" when the value is null, undefined or not finite. */
export function formatNumber(value: number | null | undefined, unit = ""): string {
  if (value === null || value === undefined || !Number.isFinite(value)) return EMPTY;
  const text = numberFormat.format(value);
  return unit ? `${text}${unit === "%" ? "" : "\u00a0"}${unit}` : text;
}

export const formatTemperature = (v: number | null | undefined): string => formatNumber(v, "°C");
export const formatHumidity = (v: number | null | undefined): string => formatNumber(v, "%");
export const formatBattery = (v: number | null | undefined): string => formatNumber(v, "%");

function parse(iso: string | null | undefined): Date | null {
  if (!iso) return null;
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

const UNITS: ReadonlyArray<[Intl.RelativeTimeFormatUnit, number]> = [
  ["year", 365 * 24 * 3600],
  ["month", 30 * 24 * 3600],
  ["week", 7 * 24 * 3600],
  ["day", 24 * 3600],
  ["hour", 3600],
  ["minute", 60],
  ["second", 1],
];

/** "5 minutes ago", "yesterday", "just now"; "never" for a missing time. */
export function formatRelative(iso: string | null | undefined, now: Date = new Date()): string {
  const d = parse(iso);
  if (!d) return iso ? "invalid date" : "never";
  const seconds = Math.round((d.getTime() - now.getTime()) / 1000);
  if (Math.abs(seconds) < 45) return "just now";
  for (const [unit, size] of UNITS) {
    if (Math.abs(seconds) >= size || unit === "second") {
      return relativeFormat.format(Math.round(seconds / size), unit);
    }
  }
  return "just now";
}

/** "24 Nov 2026, 15:00:00 UTC"; "—" for a missing time. */
export function formatAbsolute(iso: string | null | undefined, timeZone?: string): string {
  const d = parse(iso);
  if (!d) return iso ? "invalid date" : EMPTY;
  return new Intl.DateTimeFormat("en-GB", {
    year: "numeric",
    month: "short",
    day: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    second: "2-digit",
    hourCycle: "h23",
    timeZoneName: "short",
    ...(timeZone ? { timeZone } : {}),
  }).format(d);
}

/** Short time axis label: "15:00" or "24 Nov 15:00" when the range spans days. */
export function formatAxisTime(ms: number, withDate: boolean, timeZone?: string): string {
  return new Intl.DateTimeFormat("en-GB", {
    ...(withDate ? { day: "numeric", month: "short" } : {}),
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
    ...(timeZone ? { timeZone } : {}),
  }).format(new Date(ms));
}

/**
 * An instant as the API's date-time: UTC, whole seconds, `Z` suffix ("2026-11-24T15:00:00Z"),
 * the form the seed data uses. Readings are sorted by their time string, so mixing in
 * millisecond forms ("…:00.123Z" sorts before "…:00Z") would break range queries.
 */
export function toApiTime(d: Date): string {
  return d.toISOString().replace(/\.\d{3}Z$/, "Z");
}
