import { useState, type FormEvent } from "react";
import { Link, useParams, useSearchParams } from "react-router-dom";
import { isStatus, type Device, type Reading } from "../api/client";
import { useDevice, useReadingPages, useSites } from "../api/queries";
import { ReadingsChart } from "../components/ReadingsChart";
import { SendReadingForm } from "../components/SendReadingForm";
import { EmptyState, ErrorState, Loading } from "../components/States";
import { StatusBadge } from "../components/StatusBadge";
import { RelativeTime } from "../components/Time";
import { formatAbsolute, formatBattery, formatHumidity, formatTemperature } from "../lib/format";
import { useDocumentTitle } from "../lib/hooks";
import {
  PRESETS,
  apiTimeToLocalInput,
  isRangeId,
  localInputToApiTime,
  rangeToQuery,
  type RangeSelection,
} from "../lib/timeRange";

function DeviceFacts({ device }: { device: Device }) {
  const sites = useSites();
  const site = sites.data?.find((s) => s.siteId === device.siteId);
  const tags = Object.entries(device.tags ?? {});
  return (
    <dl className="facts" data-testid="device-facts">
      <div>
        <dt>Device ID</dt>
        <dd className="mono">{device.deviceId}</dd>
      </div>
      <div>
        <dt>Site</dt>
        <dd>
          <Link to={`/?site=${encodeURIComponent(device.siteId)}`}>{site?.name ?? device.siteId}</Link>
        </dd>
      </div>
      <div>
        <dt>Model</dt>
        <dd>{device.model ?? "—"}</dd>
      </div>
      <div>
        <dt>Firmware</dt>
        <dd>{device.firmware ?? "—"}</dd>
      </div>
      <div>
        <dt>Registered</dt>
        <dd>{formatAbsolute(device.registeredAt)}</dd>
      </div>
      <div>
        <dt>Last seen</dt>
        <dd>
          <RelativeTime iso={device.lastSeen} testId="device-last-seen" />
        </dd>
      </div>
      <div>
        <dt>Tags</dt>
        <dd>
          {tags.length === 0 ? (
            "—"
          ) : (
            <ul className="inline-list tags">
              {tags.map(([k, v]) => (
                <li key={k} className="tag">
                  {k}: {v}
                </li>
              ))}
            </ul>
          )}
        </dd>
      </div>
    </dl>
  );
}

function LastReading({ device }: { device: Device }) {
  const r = device.lastReading;
  return (
    <section className="card" aria-labelledby="last-reading-title" data-testid="last-reading">
      <h2 id="last-reading-title" className="card-title">
        Last reading
      </h2>
      {!r ? (
        <p className="muted" data-testid="no-last-reading">
          This device has not sent a reading yet.
        </p>
      ) : (
        <>
          <dl className="metrics">
            <div>
              <dt>Temperature</dt>
              <dd data-testid="last-reading-temperature">{formatTemperature(r.temperature)}</dd>
            </div>
            <div>
              <dt>Humidity</dt>
              <dd data-testid="last-reading-humidity">{formatHumidity(r.humidity)}</dd>
            </div>
            <div>
              <dt>Battery</dt>
              <dd data-testid="last-reading-battery">{formatBattery(r.battery)}</dd>
            </div>
          </dl>
          <p className="muted small time-inline">
            Recorded <RelativeTime iso={r.time} testId="last-reading-time" />
          </p>
        </>
      )}
    </section>
  );
}

function useRangeSelection(): [RangeSelection, (sel: RangeSelection) => void] {
  const [params, setParams] = useSearchParams();
  const raw = params.get("range");
  const range = isRangeId(raw) ? raw : "latest";
  const sel: RangeSelection = { range };
  if (range === "custom") {
    const since = params.get("since");
    const until = params.get("until");
    if (since) sel.since = since;
    if (until) sel.until = until;
  }
  const set = (next: RangeSelection) => {
    const p = new URLSearchParams(params);
    p.delete("since");
    p.delete("until");
    if (next.range === "latest") p.delete("range");
    else p.set("range", next.range);
    if (next.range === "custom") {
      if (next.since) p.set("since", next.since);
      if (next.until) p.set("until", next.until);
    }
    setParams(p, { replace: true });
  };
  return [sel, set];
}

function RangeControl({ value, onChange }: { value: RangeSelection; onChange: (sel: RangeSelection) => void }) {
  const [showCustom, setShowCustom] = useState(value.range === "custom");
  const [from, setFrom] = useState(apiTimeToLocalInput(value.since));
  const [to, setTo] = useState(apiTimeToLocalInput(value.until));
  const [error, setError] = useState<string | null>(null);

  const applyCustom = (e: FormEvent) => {
    e.preventDefault();
    const since = localInputToApiTime(from);
    const until = localInputToApiTime(to);
    if (!since && !until) return setError("Enter a start, an end or both.");
    if (since && until && since > until) return setError("The start must be before the end.");
    setError(null);
    const sel: RangeSelection = { range: "custom" };
    if (since) sel.since = since;
    if (until) sel.until = until;
    onChange(sel);
  };

  return (
    <div className="range-control">
      <fieldset className="segmented" data-testid="time-range">
        <legend>Time range</legend>
        {PRESETS.map((p) => (
          <label key={p.id} className="segment">
            <input
              type="radio"
              name="range"
              value={p.id}
              checked={value.range === p.id && !showCustom}
              onChange={() => {
                setShowCustom(false);
                onChange({ range: p.id });
              }}
            />
            <span>{p.label}</span>
          </label>
        ))}
        <label className="segment">
          <input
            type="radio"
            name="range"
            value="custom"
            checked={showCustom}
            onChange={() => setShowCustom(true)}
          />
          <span>Custom</span>
        </label>
      </fieldset>
      {showCustom ? (
        <form className="form form-inline custom-range" onSubmit={applyCustom} aria-label="Custom time range">
          <div className="field">
            <label htmlFor="range-from">Range start</label>
            <input id="range-from" data-testid="range-since" type="datetime-local" value={from} onChange={(e) => setFrom(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="range-to">Range end</label>
            <input id="range-to" data-testid="range-until" type="datetime-local" value={to} onChange={(e) => setTo(e.target.value)} />
          </div>
          <button type="submit" className="button">
            Apply
          </button>
          {error ? (
            <p className="error-text small" role="alert">
              {error}
            </p>
          ) : null}
        </form>
      ) : null}
    </div>
  );
}

function ReadingsTable({ readings }: { readings: readonly Reading[] }) {
  return (
    <div className="table-wrap">
      <table className="data-table readings-table" data-testid="readings-table">
        <caption className="table-caption">Readings, newest first</caption>
        <thead>
          <tr>
            <th scope="col">Time</th>
            <th scope="col" className="num">
              Temperature
            </th>
            <th scope="col" className="num">
              Humidity
            </th>
            <th scope="col" className="num">
              Battery
            </th>
          </tr>
        </thead>
        <tbody>
          {readings.map((r) => (
            <tr key={r.time} data-testid="reading-row" data-time={r.time}>
              <th scope="row" data-label="Time">
                <time dateTime={r.time}>{formatAbsolute(r.time)}</time>
              </th>
              <td data-label="Temperature" className="num">
                {formatTemperature(r.temperature)}
              </td>
              <td data-label="Humidity" className="num">
                {formatHumidity(r.humidity)}
              </td>
              <td data-label="Battery" className="num">
                {formatBattery(r.battery)}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function ReadingsSection({ deviceId }: { deviceId: string }) {
  const [selection, setSelection] = useRangeSelection();
  const query = rangeToQuery(selection);
  const readings = useReadingPages(deviceId, query);
  const items = readings.data?.pages.flatMap((p) => p.items) ?? [];

  return (
    <section className="card" aria-labelledby="readings-title" data-testid="readings">
      <h2 id="readings-title" className="card-title">
        Readings
      </h2>
      <RangeControl value={selection} onChange={setSelection} />
      {readings.isPending ? (
        <Loading label="Loading readings…" />
      ) : !readings.data ? (
        <ErrorState error={readings.error} title="Readings could not be loaded" onRetry={() => void readings.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title="No readings in this range">
          <p className="muted">Choose a longer range, or send a test reading below.</p>
        </EmptyState>
      ) : (
        <>
          <p className="visually-hidden" role="status">
            {items.length} readings shown.
          </p>
          <ReadingsChart readings={items} />
          <ReadingsTable readings={items} />
          {readings.isFetchNextPageError ? (
            <ErrorState error={readings.error} title="Older readings could not be loaded" />
          ) : null}
          {readings.hasNextPage ? (
            <button
              type="button"
              className="button button-secondary"
              data-testid="load-older-readings"
              onClick={() => void readings.fetchNextPage()}
              disabled={readings.isFetchingNextPage}
            >
              {readings.isFetchingNextPage ? "Loading…" : "Load older readings"}
            </button>
          ) : null}
        </>
      )}
    </section>
  );
}

export default function DeviceDetail() {
  const { deviceId = "" } = useParams();
  const device = useDevice(deviceId);
  const notFound = device.isError && isStatus(device.error, 404);
  useDocumentTitle(device.data ? device.data.name : notFound ? `No device ${deviceId}` : "Device");

  if (device.isPending) return <Loading label="Loading device…" />;
  if (!device.data) {
    if (notFound) {
      return (
        <section className="state state-empty" aria-labelledby="nodevice-title" data-testid="device-not-found">
          <h1 id="nodevice-title">No device {deviceId}</h1>
          <p className="muted">The API has no device with this ID.</p>
          <Link to="/">Back to the fleet overview</Link>
        </section>
      );
    }
    return (
      <section aria-labelledby="device-error-title">
        <h1 id="device-error-title">Device {deviceId}</h1>
        <ErrorState error={device.error} title="The device could not be loaded" onRetry={() => void device.refetch()} />
      </section>
    );
  }

  const d = device.data;
  return (
    <article aria-labelledby="device-title" data-testid="device-detail">
      <nav aria-label="Breadcrumb" className="breadcrumb">
        <Link to="/">Fleet</Link> <span aria-hidden="true">/</span> <span>{d.deviceId}</span>
      </nav>
      <div className="page-head">
        <h1 id="device-title">{d.name}</h1>
        <StatusBadge status={d.status} />
      </div>
      <div className="detail-grid">
        <section className="card" aria-labelledby="facts-title">
          <h2 id="facts-title" className="card-title">
            Device
          </h2>
          <DeviceFacts device={d} />
        </section>
        <LastReading device={d} />
      </div>
      <ReadingsSection deviceId={d.deviceId} />
      <SendReadingForm key={d.deviceId} device={d} />
    </article>
  );
}
