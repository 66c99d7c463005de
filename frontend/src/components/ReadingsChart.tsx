import { useId } from "react";
import {
  CartesianGrid,
  Legend,
  Line,
  LineChart,
  ResponsiveContainer,
  Tooltip,
  XAxis,
  YAxis,
} from "recharts";
import type { Reading } from "../api/client";
import { formatAbsolute, formatAxisTime, formatHumidity, formatTemperature } from "../lib/format";

interface Point {
  t: number;
  temperature: number;
  humidity: number | null;
}

export function toChartPoints(readings: readonly Reading[]): Point[] {
  return readings
    .map((r) => ({ t: Date.parse(r.time), temperature: r.temperature, humidity: r.humidity ?? null }))
    .filter((p) => Number.isFinite(p.t))
    .sort((a, b) => a.t - b.t);
}

function summary(points: Point[]): string {
  const first = points[0];
  const last = points[points.length - 1];
  if (!first || !last) return "No readings";
  const temps = points.map((p) => p.temperature);
  return (
    `${points.length} readings from ${formatAbsolute(new Date(first.t).toISOString())} ` +
    `to ${formatAbsolute(new Date(last.t).toISOString())}; temperature between ` +
    `${formatTemperature(Math.min(...temps))} and ${formatTemperature(Math.max(...temps))}. ` +
    `The table below lists every reading.`
  );
}

export function ReadingsChart({ readings }: { readings: readonly Reading[] }) {
  const captionId = useId();
  const points = toChartPoints(readings);
  const hasHumidity = points.some((p) => p.humidity !== null);
  const first = points[0];
  const last = points[points.length - 1];
  const spansDays = first && last ? last.t - first.t > 20 * 3600 * 1000 : false;

  return (
    <figure className="chart" data-testid="readings-chart" aria-labelledby={captionId}>
      <figcaption id={captionId} className="chart-caption">
        Temperature{hasHumidity ? " and humidity" : ""} over time
        {!hasHumidity ? <span className="muted small"> (no humidity data in this range)</span> : null}
      </figcaption>
      <div className="chart-box" role="img" aria-label={summary(points)}>
        <ResponsiveContainer width="100%" height="100%">
          <LineChart data={points} margin={{ top: 8, right: 8, bottom: 8, left: 0 }}>
            <CartesianGrid strokeDasharray="3 3" stroke="var(--grid)" />
            <XAxis
              dataKey="t"
              type="number"
              scale="time"
              domain={["dataMin", "dataMax"]}
              tickFormatter={(v: number) => formatAxisTime(v, spansDays)}
              minTickGap={24}
              stroke="var(--muted)"
              fontSize={12}
            />
            <YAxis yAxisId="temp" stroke="var(--temp)" fontSize={12} width={48} unit="°" />
            {hasHumidity ? (
              <YAxis
                yAxisId="hum"
                orientation="right"
                stroke="var(--hum)"
                fontSize={12}
                width={44}
                domain={[0, 100]}
                unit="%"
              />
            ) : null}
            <Tooltip
              labelFormatter={(v) => formatAbsolute(new Date(Number(v)).toISOString())}
              formatter={(value, name) =>
                name === "Humidity"
                  ? formatHumidity(typeof value === "number" ? value : null)
                  : formatTemperature(typeof value === "number" ? value : null)
              }
            />
            <Legend />
            <Line
              yAxisId="temp"
              type="linear"
              dataKey="temperature"
              name="Temperature"
              stroke="var(--temp)"
              strokeWidth={2}
              dot={points.length < 50}
              isAnimationActive={false}
            />
            {hasHumidity ? (
              <Line
                yAxisId="hum"
                type="linear"
                dataKey="humidity"
                name="Humidity"
                stroke="var(--hum)"
                strokeWidth={2}
                strokeDasharray="6 3"
                dot={points.length < 50}
                connectNulls={false}
                isAnimationActive={false}
              />
            ) : null}
          </LineChart>
        </ResponsiveContainer>
      </div>
    </figure>
  );
}
