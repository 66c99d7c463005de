import { useEffect, useId, useRef, useState, type FormEvent } from "react";
import type { Device } from "../api/client";
import { useDevice, useIngestEvents, useInvalidateDevice } from "../api/queries";
import { describeError } from "./States";
import { buildReadingEvent, validateReading, type ReadingErrors } from "../lib/events";
import { formatAbsolute, formatBattery, formatHumidity, formatTemperature } from "../lib/format";

/** How long to wait for the processor to show the reading on the device before giving up. */
export const PROCESSING_TIMEOUT_MS = 20_000;
export const POLL_INTERVAL_MS = 500;

type Phase =
  | { kind: "idle" }
  | { kind: "sending" }
  | { kind: "waiting"; time: string; sequenceNumber: string | null; eventId: string }
  | { kind: "processed"; time: string; eventId: string }
  | { kind: "timeout"; time: string; eventId: string }
  | { kind: "rejected"; error: string }
  | { kind: "error"; message: string };

function parseNumber(raw: string): number {
  return raw.trim() === "" ? NaN : Number(raw);
}

export function SendReadingForm({ device }: { device: Device }) {
  const ids = { temp: useId(), hum: useId(), bat: useId(), status: useId() };
  const last = device.lastReading;
  const [temperature, setTemperature] = useState(last ? String(last.temperature) : "20");
  const [humidity, setHumidity] = useState(last?.humidity != null ? String(last.humidity) : "");
  const [battery, setBattery] = useState(last ? String(last.battery) : "100");
  const [errors, setErrors] = useState<ReadingErrors>({});
  const [phase, setPhase] = useState<Phase>({ kind: "idle" });
  const ingest = useIngestEvents();
  const invalidate = useInvalidateDevice();
  const refs = {
    temperature: useRef<HTMLInputElement>(null),
    humidity: useRef<HTMLInputElement>(null),
    battery: useRef<HTMLInputElement>(null),
  };

  // While waiting, this observer polls GET /devices/{id}; the page shares the same cached query.
  const polled = useDevice(device.deviceId, {
    refetchInterval: phase.kind === "waiting" ? POLL_INTERVAL_MS : false,
  });

  useEffect(() => {
    if (phase.kind !== "waiting") return;
    const seen = polled.data?.lastReading?.time;
    if (seen && Date.parse(seen) >= Date.parse(phase.time)) {
      setPhase({ kind: "processed", time: phase.time, eventId: phase.eventId });
      void invalidate(device);
    }
  }, [phase, polled.data, invalidate, device]);

  useEffect(() => {
    if (phase.kind !== "waiting") return;
    const timer = setTimeout(
      () => setPhase({ kind: "timeout", time: phase.time, eventId: phase.eventId }),
      PROCESSING_TIMEOUT_MS,
    );
    return () => clearTimeout(timer);
  }, [phase]);

  const onSubmit = async (e: FormEvent) => {
    e.preventDefault();
    const input = {
      deviceId: device.deviceId,
      temperature: parseNumber(temperature),
      humidity: humidity.trim() === "" ? null : parseNumber(humidity),
      battery: parseNumber(battery),
    };
    const found = validateReading(input);
    setErrors(found);
    const firstKey = (["temperature", "humidity", "battery"] as const).find((k) => found[k]);
    if (firstKey) {
      refs[firstKey].current?.focus();
      return;
    }
    const event = buildReadingEvent(input);
    setPhase({ kind: "sending" });
    try {
      const result = await ingest.mutateAsync([event]);
      const first = result.results[0];
      if (!first || first.status !== "accepted" || result.failed > 0) {
        setPhase({ kind: "rejected", error: first?.error ?? "the event was not accepted" });
        return;
      }
      setPhase({ kind: "waiting", time: event.time, sequenceNumber: first.sequenceNumber ?? null, eventId: event.id });
    } catch (err) {
      const d = describeError(err);
      setPhase({ kind: "error", message: `${d.title}: ${d.detail}` });
    }
  };

  const busy = phase.kind === "sending" || phase.kind === "waiting";
  const shown = polled.data?.lastReading;

  const fieldProps = (key: keyof ReadingErrors, id: string) => ({
    id,
    "aria-invalid": errors[key] ? true : undefined,
    "aria-describedby": errors[key] ? `${id}-error` : undefined,
  });

  return (
    <form className="form card" onSubmit={(e) => void onSubmit(e)} noValidate aria-labelledby="send-title" data-testid="send-reading-form">
      <h2 id="send-title" className="card-title">
        Send test reading
      </h2>
      <p className="muted small">
        Posts one <code>reading.recorded</code> CloudEvent for this device to <code>POST /events</code>, then waits
        until the device shows it.
      </p>
      <div className="form-row">
        <div className="field">
          <label htmlFor={ids.temp}>Temperature (°C)</label>
          <input
            {...fieldProps("temperature", ids.temp)}
            ref={refs.temperature}
            name="temperature"
            type="number"
            inputMode="decimal"
            step="any"
            min={-100}
            max={200}
            required
            value={temperature}
            onChange={(e) => setTemperature(e.target.value)}
          />
          {errors.temperature ? (
            <span id={`${ids.temp}-error`} className="error-text small">
              {errors.temperature}
            </span>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor={ids.hum}>Humidity (%, optional)</label>
          <input
            {...fieldProps("humidity", ids.hum)}
            ref={refs.humidity}
            name="humidity"
            type="number"
            inputMode="decimal"
            step="any"
            min={0}
            max={100}
            value={humidity}
            onChange={(e) => setHumidity(e.target.value)}
          />
          {errors.humidity ? (
            <span id={`${ids.hum}-error`} className="error-text small">
              {errors.humidity}
            </span>
          ) : null}
        </div>
        <div className="field">
          <label htmlFor={ids.bat}>Battery (%)</label>
          <input
            {...fieldProps("battery", ids.bat)}
            ref={refs.battery}
            name="battery"
            type="number"
            inputMode="numeric"
            step={1}
            min={0}
            max={100}
            required
            value={battery}
            onChange={(e) => setBattery(e.target.value)}
          />
          {errors.battery ? (
            <span id={`${ids.bat}-error`} className="error-text small">
              {errors.battery}
            </span>
          ) : null}
        </div>
      </div>
      <div className="form-actions">
        <button type="submit" className="button" disabled={busy} aria-describedby={ids.status}>
          {phase.kind === "sending" ? "Sending…" : phase.kind === "waiting" ? "Waiting for processing…" : "Send test reading"}
        </button>
      </div>
      <div
        id={ids.status}
        className={`send-result send-${phase.kind}`}
        role="status"
        aria-live="polite"
        data-testid="send-result"
        data-phase={phase.kind}
      >
        {phase.kind === "sending" ? <p>Sending the event…</p> : null}
        {phase.kind === "waiting" ? (
          <p>
            Accepted by the API
            {phase.sequenceNumber ? ` (sequence number ${phase.sequenceNumber})` : ""}. Waiting for the processor…
          </p>
        ) : null}
        {phase.kind === "processed" ? (
          <p>
            Processed: the device now shows {formatTemperature(shown?.temperature)}, humidity{" "}
            {formatHumidity(shown?.humidity)}, battery {formatBattery(shown?.battery)} at{" "}
            {formatAbsolute(shown?.time ?? phase.time)}.
          </p>
        ) : null}
        {phase.kind === "timeout" ? (
          <p>
            Accepted, but the device has not shown the reading after {PROCESSING_TIMEOUT_MS / 1000} s. Processing may
            be delayed: check the readings again in a moment.
          </p>
        ) : null}
        {phase.kind === "rejected" ? <p className="error-text">The API did not accept the event: {phase.error}</p> : null}
        {phase.kind === "error" ? <p className="error-text">Could not send the reading. {phase.message}</p> : null}
      </div>
    </form>
  );
}
