import { describe, expect, it } from "vitest";
import { apiTimeToLocalInput, isRangeId, localInputToApiTime, rangeToQuery } from "./timeRange";

const now = new Date("2026-11-24T15:07:42Z");

describe("rangeToQuery", () => {
  it("maps presets to a since relative to now, floored to the minute", () => {
    expect(rangeToQuery({ range: "1h" }, now)).toEqual({ since: "2026-11-24T14:07:00Z" });
    expect(rangeToQuery({ range: "6h" }, now)).toEqual({ since: "2026-11-24T09:07:00Z" });
    expect(rangeToQuery({ range: "24h" }, now)).toEqual({ since: "2026-11-23T15:07:00Z" });
    expect(rangeToQuery({ range: "7d" }, now)).toEqual({ since: "2026-11-17T15:07:00Z" });
  });
  it("asks for the newest readings without bounds for 'latest'", () => {
    expect(rangeToQuery({ range: "latest" }, now)).toEqual({});
  });
  it("passes custom bounds through", () => {
    expect(rangeToQuery({ range: "custom", since: "2026-11-24T10:00:00Z", until: "2026-11-24T12:00:00Z" }, now)).toEqual({
      since: "2026-11-24T10:00:00Z",
      until: "2026-11-24T12:00:00Z",
    });
    expect(rangeToQuery({ range: "custom", until: "2026-11-24T12:00:00Z" }, now)).toEqual({
      until: "2026-11-24T12:00:00Z",
    });
  });
});

describe("range helpers", () => {
  it("recognises range ids", () => {
    expect(isRangeId("6h")).toBe(true);
    expect(isRangeId("custom")).toBe(true);
    expect(isRangeId("2h")).toBe(false);
    expect(isRangeId(null)).toBe(false);
  });
  it("round-trips datetime-local values (TZ=UTC in tests)", () => {
    expect(localInputToApiTime("2026-11-24T10:30")).toBe("2026-11-24T10:30:00Z");
    expect(apiTimeToLocalInput("2026-11-24T10:30:00Z")).toBe("2026-11-24T10:30");
    expect(localInputToApiTime("")).toBeUndefined();
  });
});
