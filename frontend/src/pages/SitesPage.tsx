import { Link } from "react-router-dom";
import { useSiteDeviceCounts, useSites } from "../api/queries";
import { EmptyState, ErrorState, Loading } from "../components/States";
import { useDocumentTitle } from "../lib/hooks";

function formatLocation(loc: { lat: number; lon: number } | undefined): string {
  if (!loc) return "—";
  const lat = `${Math.abs(loc.lat).toFixed(4)}° ${loc.lat >= 0 ? "N" : "S"}`;
  const lon = `${Math.abs(loc.lon).toFixed(4)}° ${loc.lon >= 0 ? "E" : "W"}`;
  return `${lat}, ${lon}`;
}

export function SitesPage() {
  useDocumentTitle("Sites");
  const sites = useSites();
  const list = sites.data ?? [];
  const counts = useSiteDeviceCounts(list.map((s) => s.siteId));

  return (
    <section aria-labelledby="sites-title">
      <div className="page-head">
        <h1 id="sites-title">Sites</h1>
      </div>
      {sites.isPending ? (
        <Loading label="Loading sites…" />
      ) : sites.isError ? (
        <ErrorState error={sites.error} title="Sites could not be loaded" onRetry={() => void sites.refetch()} />
      ) : list.length === 0 ? (
        <EmptyState title="No sites yet" />
      ) : (
        <ul className="card-grid" data-testid="sites-list">
          {list.map((site, i) => {
            const count = counts[i];
            return (
              <li key={site.siteId} className="card" data-testid="site-card" data-site-id={site.siteId}>
                <h2 className="card-title">{site.name}</h2>
                <dl className="facts facts-compact">
                  <div>
                    <dt>Site ID</dt>
                    <dd className="mono">{site.siteId}</dd>
                  </div>
                  <div>
                    <dt>Time zone</dt>
                    <dd>{site.timezone}</dd>
                  </div>
                  <div>
                    <dt>Location</dt>
                    <dd>{formatLocation(site.location)}</dd>
                  </div>
                  <div>
                    <dt>Devices</dt>
                    <dd data-testid="site-device-count">
                      {!count || count.isPending ? (
                        <span className="muted">counting…</span>
                      ) : count.isError ? (
                        <span className="error-text">unavailable</span>
                      ) : (
                        count.data
                      )}
                    </dd>
                  </div>
                </dl>
                <Link
                  className="button button-secondary"
                  to={`/?site=${encodeURIComponent(site.siteId)}`}
                  aria-label={`View devices at ${site.name}`}
                >
                  View devices
                </Link>
              </li>
            );
          })}
        </ul>
      )}
    </section>
  );
}
