import { describe, expect, it } from "vitest";
import {
  EMPTY,
  formatAbsolute,
  formatBattery,
  formatHumidity,
  formatNumber,
  formatRelative,
  formatTemperature,
  toApiTime,
} from "./format";

const now = new Date("2026-11-24T15:00:00Z");

describe("formatRelative", () => {
  it.each([
    ["2026-11-24T14:59:50Z", "just now"],
    ["2026-11-24T14:55:00Z", "5 minutes ago"],
    ["2026-11-24T13:00:00Z", "2 hours ago"],
    ["2026-11-23T07:15:00Z", "yesterday"],
    ["2026-11-17T15:00:00Z", "last week"],
    ["2026-01-10T08:30:00Z", "11 months ago"],
    ["2026-11-24T15:10:00Z", "in 10 minutes"],
  ])("%s -> %s", (iso, expected) => {
    expect(formatRelative(iso, now)).toBe(expected);
  });

  it("says never for a missing time and flags garbage", () => {
    expect(formatRelative(null, now)).toBe("never");
    expect(formatRelative(undefined, now)).toBe("never");
    expect(formatRelative("not a date", now)).toBe("invalid date");
  });
});

describe("formatAbsolute", () => {
  it("formats in the given time zone with its name", () => {
    expect(formatAbsolute("2026-11-24T15:00:00Z", "UTC")).toBe("24 Nov 2026, 15:00:00 UTC");
    expect(formatAbsolute("2026-11-24T15:00:00Z", "Europe/Zurich")).toBe("24 Nov 2026, 16:00:00 CET");
  });
  it("shows a dash for a missing time", () => {
    expect(formatAbsolute(null)).toBe(EMPTY);
    expect(formatAbsolute("")).toBe(EMPTY);
  });
});

describe("nullable numbers", () => {
  it("renders null, undefined and NaN as an em dash", () => {
    expect(formatHumidity(null)).toBe("—");
    expect(formatHumidity(undefined)).toBe("—");
    expect(formatNumber(Number.NaN)).toBe("—");
    expect(formatTemperature(null)).toBe("—");
  });
  it("keeps zero and negatives", () => {
    expect(formatBattery(0)).toBe("0%");
    expect(formatTemperature(-17.76)).toBe("-17.76\u00a0°C");
    expect(formatTemperature(0)).toBe("0\u00a0°C");
  });
  it("rounds to two decimals", () => {
    expect(formatHumidity(33.6)).toBe("33.6%");
    expect(formatTemperature(2.7149)).toBe("2.71\u00a0°C");
    expect(formatNumber(1234.5)).toBe("1,234.5");
  });
});

describe("toApiTime", () => {
  it("drops milliseconds so times sort like the seed's", () => {
    expect(toApiTime(new Date("2026-11-24T15:00:00.123Z"))).toBe("2026-11-24T15:00:00Z");
  });
});
