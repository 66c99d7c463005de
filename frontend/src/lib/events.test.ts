import { describe, expect, it } from "vitest";
import { buildReadingEvent, validateReading } from "./events";

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe("buildReadingEvent", () => {
  it("builds a CloudEvents 1.0 reading.recorded event for the device", () => {
    const now = new Date("2026-11-24T15:30:05.678Z");
    const event = buildReadingEvent({ deviceId: "dev-003", temperature: -18.5, humidity: 40, battery: 88 }, { now });
    expect(event).toEqual({
      specversion: "1.0",
      id: expect.stringMatching(UUID),
      source: "dashboard",
      type: "reading.recorded",
      time: "2026-11-24T15:30:05Z",
      subject: "dev-003",
      data: { deviceId: "dev-003", time: "2026-11-24T15:30:05Z", temperature: -18.5, humidity: 40, battery: 88 },
    });
    // JSON round trip keeps it intact (what goes over the wire)
    expect(JSON.parse(JSON.stringify([event]))).toEqual([event]);
  });

  it("gives every event a fresh id (the idempotency key)", () => {
    const input = { deviceId: "dev-001", temperature: 1, humidity: null, battery: 1 };
    const ids = new Set(Array.from({ length: 20 }, () => buildReadingEvent(input).id));
    expect(ids.size).toBe(20);
  });

  it("leaves humidity out when there is none", () => {
    const event = buildReadingEvent({ deviceId: "dev-001", temperature: 3, humidity: null, battery: 90 });
    expect(event.data).not.toHaveProperty("humidity");
    expect(Object.keys(event.data).sort()).toEqual(["battery", "deviceId", "temperature", "time"]);
  });

  it("rejects values outside the ReadingRecorded schema", () => {
    const base = { deviceId: "dev-001", temperature: 3, humidity: null, battery: 90 };
    expect(() => buildReadingEvent({ ...base, temperature: 250 })).toThrow(/Temperature/);
    expect(() => buildReadingEvent({ ...base, battery: 50.5 })).toThrow(/Battery/);
    expect(() => buildReadingEvent({ ...base, humidity: 101 })).toThrow(/Humidity/);
    expect(() => buildReadingEvent({ ...base, deviceId: "" })).toThrow(/Device ID/);
  });
});

describe("validateReading", () => {
  it("accepts the bounds and reports each bad field", () => {
    expect(validateReading({ deviceId: "d", temperature: -100, humidity: 0, battery: 0 })).toEqual({});
    expect(validateReading({ deviceId: "d", temperature: 200, humidity: 100, battery: 100 })).toEqual({});
    expect(Object.keys(validateReading({ deviceId: "d", temperature: NaN, humidity: -1, battery: 101 })).sort()).toEqual([
      "battery",
      "humidity",
      "temperature",
    ]);
  });
});
