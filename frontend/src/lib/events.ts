import type { components } from "../api/schema";
import { toApiTime } from "./format";

export type ReadingRecorded = components["schemas"]["ReadingRecorded"];

/** A CloudEvents 1.0 event in structured JSON mode, as POST /events takes them. */
export interface CloudEvent<T> {
  specversion: "1.0";
  id: string;
  source: string;
  type: string;
  time: string;
  subject: string;
  data: T;
}

export interface ReadingInput {
  deviceId: string;
  temperature: number;
  humidity: number | null;
  battery: number;
}

export type ReadingErrors = Partial<Record<"deviceId" | "temperature" | "humidity" | "battery", string>>;

/** Field errors against the ReadingRecorded schema's bounds; empty when valid. */
export function validateReading(input: ReadingInput): ReadingErrors {
  const errors: ReadingErrors = {};
  if (!input.deviceId || input.deviceId.length > 128) errors.deviceId = "Device ID must be 1 to 128 characters.";
  if (!Number.isFinite(input.temperature) || input.temperature < -100 || input.temperature > 200)
    errors.temperature = "Temperature must be a number from -100 to 200 °C.";
  if (input.humidity !== null && (!Number.isFinite(input.humidity) || input.humidity < 0 || input.humidity > 100))
    errors.humidity = "Humidity must be from 0 to 100 %, or left empty.";
  if (!Number.isInteger(input.battery) || input.battery < 0 || input.battery > 100)
    errors.battery = "Battery must be a whole number from 0 to 100 %.";
  return errors;
}

export const EVENT_SOURCE = "dashboard";

/** Builds a `reading.recorded` CloudEvent for one device. Throws on invalid input. */
export function buildReadingEvent(
  input: ReadingInput,
  opts: { now?: Date; id?: string } = {},
): CloudEvent<ReadingRecorded> {
  const errors = validateReading(input);
  const first = Object.values(errors)[0];
  if (first) throw new RangeError(first);
  const time = toApiTime(opts.now ?? new Date());
  const data: ReadingRecorded = {
    deviceId: input.deviceId,
    time,
    temperature: input.temperature,
    battery: input.battery,
  };
  if (input.humidity !== null) data.humidity = input.humidity;
  return {
    specversion: "1.0",
    id: opts.id ?? crypto.randomUUID(),
    source: EVENT_SOURCE,
    type: "reading.recorded",
    time,
    subject: input.deviceId,
    data,
  };
}
