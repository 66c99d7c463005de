import { formatAbsolute, formatRelative } from "../lib/format";
import { useNow } from "../lib/hooks";

/** A moment shown relative ("5 minutes ago") with the absolute time beside it. */
export function RelativeTime({ iso, testId }: { iso: string | null | undefined; testId?: string }) {
  const now = useNow();
  if (!iso) {
    return (
      <span className="muted" data-testid={testId}>
        never
      </span>
    );
  }
  const absolute = formatAbsolute(iso);
  return (
    <span className="time-pair" data-testid={testId}>
      <time dateTime={iso} title={absolute}>
        {formatRelative(iso, now)}
      </time>
      <span className="time-abs">{absolute}</span>
    </span>
  );
}
