import { Link, useSearchParams } from "react-router-dom";
import type { Device, Site } from "../api/client";
import { DEFAULT_PAGE_SIZE, useDevicePages, useSites } from "../api/queries";
import { StatusBadge } from "../components/StatusBadge";
import { EmptyState, ErrorState, Loading } from "../components/States";
import { RelativeTime } from "../components/Time";
import { formatBattery, formatHumidity, formatTemperature } from "../lib/format";
import { useDocumentTitle } from "../lib/hooks";

/** `?limit=` (1..100) sets the page size; handy for trying "Load more" on a small fleet. */
function pageSize(raw: string | null): number {
  const n = raw === null ? NaN : Number.parseInt(raw, 10);
  return Number.isInteger(n) && n >= 1 && n <= 100 ? n : DEFAULT_PAGE_SIZE;
}

export function FleetOverview() {
  const [params, setParams] = useSearchParams();
  const siteId = params.get("site") || null;
  const limit = pageSize(params.get("limit"));
  const sites = useSites();
  const devices = useDevicePages(siteId, limit);
  const siteById = new Map<string, Site>((sites.data ?? []).map((s) => [s.siteId, s]));
  const currentSite = siteId ? siteById.get(siteId) : undefined;
  useDocumentTitle(currentSite ? `Fleet · ${currentSite.name}` : "Fleet overview");

  const onSiteChange = (value: string) => {
    const next = new URLSearchParams(params);
    if (value) next.set("site", value);
    else next.delete("site");
    setParams(next);
  };

  const items: Device[] = devices.data?.pages.flatMap((p) => p.items) ?? [];
  const counts = { online: 0, offline: 0, unknown: 0 };
  for (const d of items) counts[d.status] += 1;

  return (
    <section aria-labelledby="overview-title">
      <div className="page-head">
        <h1 id="overview-title">Fleet overview</h1>
        <div className="field field-inline">
          <label htmlFor="site-filter">Site</label>
          <select
            id="site-filter"
            data-testid="site-filter"
            value={siteId ?? ""}
            onChange={(e) => onSiteChange(e.target.value)}
            aria-describedby={sites.isError ? "site-filter-error" : undefined}
          >
            <option value="">All sites</option>
            {/* keep an unknown ?site= selectable so the filter shows what is applied */}
            {siteId && !siteById.has(siteId) ? <option value={siteId}>{siteId}</option> : null}
            {(sites.data ?? []).map((s) => (
              <option key={s.siteId} value={s.siteId}>
                {s.name}
              </option>
            ))}
          </select>
          {sites.isPending ? <span className="muted small">Loading sites…</span> : null}
          {sites.isError ? (
            <span id="site-filter-error" className="error-text small">
              Sites could not be loaded.
            </span>
          ) : null}
        </div>
      </div>

      {devices.isPending ? (
        <Loading label="Loading devices…" />
      ) : !devices.data ? (
        <ErrorState error={devices.error} title="Devices could not be loaded" onRetry={() => void devices.refetch()} />
      ) : items.length === 0 ? (
        <EmptyState title={siteId ? "No devices at this site" : "No devices yet"}>
          <p className="muted">
            {siteId ? "Choose another site or show all sites." : "Devices appear here once they send device.registered."}
          </p>
        </EmptyState>
      ) : (
        <>
          <p className="summary" role="status" data-testid="device-count">
            Showing {items.length} {items.length === 1 ? "device" : "devices"}
            {currentSite ? ` at ${currentSite.name}` : ""}: {counts.online} online, {counts.offline} offline,{" "}
            {counts.unknown} unknown{devices.hasNextPage ? " (more available)" : ""}.
          </p>
          <div className="table-wrap">
            <table className="data-table devices-table" data-testid="devices-table">
              <caption className="visually-hidden">Devices with status, last seen and last reading</caption>
              <thead>
                <tr>
                  <th scope="col">Device</th>
                  <th scope="col">Site</th>
                  <th scope="col">Status</th>
                  <th scope="col">Last seen</th>
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
                {items.map((d) => (
                  <tr key={d.deviceId} data-testid="device-row" data-device-id={d.deviceId}>
                    <th scope="row" data-label="Device">
                      <Link to={`/devices/${encodeURIComponent(d.deviceId)}`} className="device-link">
                        {d.name}
                      </Link>
                      <span className="device-id">{d.deviceId}</span>
                    </th>
                    <td data-label="Site">{siteById.get(d.siteId)?.name ?? d.siteId}</td>
                    <td data-label="Status">
                      <StatusBadge status={d.status} />
                    </td>
                    <td data-label="Last seen">
                      <RelativeTime iso={d.lastSeen} testId="last-seen" />
                    </td>
                    <td data-label="Temperature" className="num" data-testid="temperature">
                      {formatTemperature(d.lastReading?.temperature)}
                    </td>
                    <td data-label="Humidity" className="num" data-testid="humidity">
                      {formatHumidity(d.lastReading?.humidity)}
                    </td>
                    <td data-label="Battery" className="num" data-testid="battery">
                      {formatBattery(d.lastReading?.battery)}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="list-footer">
            {devices.isFetchNextPageError ? (
              <ErrorState error={devices.error} title="More devices could not be loaded" />
            ) : devices.isRefetchError ? (
              <ErrorState error={devices.error} title="Could not refresh; showing earlier data" />
            ) : null}
            {devices.hasNextPage ? (
              <button
                type="button"
                className="button"
                data-testid="load-more"
                onClick={() => void devices.fetchNextPage()}
                disabled={devices.isFetchingNextPage}
                aria-busy={devices.isFetchingNextPage}
              >
                {devices.isFetchingNextPage ? "Loading more…" : "Load more"}
              </button>
            ) : (
              <p className="muted small" data-testid="all-loaded">
                All devices shown.
              </p>
            )}
          </div>
        </>
      )}
    </section>
  );
}
