import { toApiTime } from "./format";

export const PRESETS = [
  { id: "latest", label: "Latest", seconds: null },
  { id: "1h", label: "Last 1 h", seconds: 3600 },
  { id: "6h", label: "Last 6 h", seconds: 6 * 3600 },
  { id: "24h", label: "Last 24 h", seconds: 24 * 3600 },
  { id: "7d", label: "Last 7 d", seconds: 7 * 24 * 3600 },
] as const;

export type PresetId = (typeof PRESETS)[number]["id"];
export type RangeId = PresetId | "custom";

export interface RangeQuery {
  since?: string;
  until?: string;
}

export interface RangeSelection {
  range: RangeId;
  /** custom bounds as API date-times */
  since?: string;
  until?: string;
}

export function isRangeId(value: string | null): value is RangeId {
  return value === "custom" || PRESETS.some((p) => p.id === value);
}

/**
 * The since/until query of a selection. Presets are relative to `now`, floored to the minute
 * so the query (and its cache key) stays stable while the user looks at it.
 */
export function rangeToQuery(sel: RangeSelection, now: Date = new Date()): RangeQuery {
  if (sel.range === "custom") {
    const q: RangeQuery = {};
    if (sel.since) q.since = sel.since;
    if (sel.until) q.until = sel.until;
    return q;
  }
  const preset = PRESETS.find((p) => p.id === sel.range);
  if (!preset || preset.seconds === null) return {};
  const minute = Math.floor(now.getTime() / 60000) * 60000;
  return { since: toApiTime(new Date(minute - preset.seconds * 1000)) };
}

/** `<input type="datetime-local">` value (viewer's local time) -> API date-time, or undefined. */
export function localInputToApiTime(value: string): string | undefined {
  if (!value) return undefined;
  const d = new Date(value);
  return Number.isNaN(d.getTime()) ? undefined : toApiTime(d);
}

/** API date-time -> `<input type="datetime-local">` value in the viewer's local time. */
export function apiTimeToLocalInput(iso: string | undefined): string {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return "";
  const pad = (n: number) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())}T${pad(d.getHours())}:${pad(d.getMinutes())}`;
}
