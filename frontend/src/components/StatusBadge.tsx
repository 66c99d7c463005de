import type { DeviceStatus } from "../api/client";

const LABELS: Record<DeviceStatus, string> = { online: "Online", offline: "Offline", unknown: "Unknown" };
// A shape as well as a colour, and always the word: status never relies on colour alone.
const ICONS: Record<DeviceStatus, string> = { online: "●", offline: "○", unknown: "?" };

export function StatusBadge({ status }: { status: DeviceStatus }) {
  return (
    <span className={`badge badge-${status}`} data-testid="status-badge" data-status={status}>
      <span className="badge-icon" aria-hidden="true">
        {ICONS[status]}
      </span>
      {LABELS[status]}
    </span>
  );
}
