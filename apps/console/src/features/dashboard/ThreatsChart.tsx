import { max } from 'd3-array';
import { scaleBand, scaleLinear } from 'd3-scale';
import { area, curveMonotoneX } from 'd3-shape';
import { useMemo } from 'react';

export interface DayCount {
  day: string;
  count: number;
}

const DAY_MS = 86_400_000;

/** Days with no threat are missing from the stats: they are drawn as zero, not skipped. */
export function fillDays(perDay: DayCount[]): DayCount[] {
  if (perDay.length === 0) return [];
  const counts = new Map(perDay.map((d) => [d.day.slice(0, 10), d.count]));
  const days = [...counts.keys()].sort();
  const start = Date.parse(`${days[0]}T00:00:00Z`);
  const end = Date.parse(`${days[days.length - 1]}T00:00:00Z`);
  const filled: DayCount[] = [];
  for (let t = start; t <= end; t += DAY_MS) {
    const day = new Date(t).toISOString().slice(0, 10);
    filled.push({ day, count: counts.get(day) ?? 0 });
  }
  return filled;
}

/** Threats per day: bars with a smoothed trend, drawn with d3 scales into plain SVG. */
export function ThreatsChart({ perDay, height = 180 }: { perDay: DayCount[]; height?: number }) {
  const width = 720;
  const margin = { top: 10, right: 10, bottom: 22, left: 36 };
  const data = useMemo(() => fillDays(perDay), [perDay]);
  const x = scaleBand<string>()
    .domain(data.map((d) => d.day))
    .range([margin.left, width - margin.right])
    .padding(0.2);
  const y = scaleLinear()
    .domain([0, Math.max(1, max(data, (d) => d.count) ?? 1)])
    .nice()
    .range([height - margin.bottom, margin.top]);
  const trend =
    area<DayCount>()
      .x((d) => (x(d.day) ?? 0) + x.bandwidth() / 2)
      .y0(height - margin.bottom)
      .y1((d) => y(d.count))
      .curve(curveMonotoneX)(data) ?? '';
  const labelEvery = Math.max(1, Math.ceil(data.length / 10));
  if (data.length === 0)
    return (
      <svg
        width="100%"
        viewBox={`0 0 ${width} ${height}`}
        data-testid="threats-chart"
        data-days={0}
      >
        <text
          x={width / 2}
          y={height / 2}
          textAnchor="middle"
          fill="var(--mantine-color-dimmed)"
          fontSize={13}
        >
          No threats yet
        </text>
      </svg>
    );
  return (
    <svg
      width="100%"
      viewBox={`0 0 ${width} ${height}`}
      role="img"
      aria-label="Threats per day"
      data-testid="threats-chart"
      data-days={data.length}
    >
      {y.ticks(4).map((t) => (
        <g key={t} transform={`translate(0,${y(t)})`}>
          <line
            x1={margin.left}
            x2={width - margin.right}
            stroke="var(--mantine-color-dark-4)"
            strokeDasharray="2 3"
          />
          <text
            x={margin.left - 6}
            dy="0.32em"
            textAnchor="end"
            fontSize={10}
            fill="var(--mantine-color-dimmed)"
          >
            {t}
          </text>
        </g>
      ))}
      <path d={trend} fill="var(--mantine-color-red-9)" opacity={0.35} />
      {data.map((d) => (
        <rect
          key={d.day}
          x={x(d.day)}
          y={y(d.count)}
          width={x.bandwidth()}
          height={height - margin.bottom - y(d.count)}
          fill="var(--mantine-color-red-6)"
        >
          <title>{`${d.day}: ${d.count} threat(s)`}</title>
        </rect>
      ))}
      {data.map((d, i) =>
        i % labelEvery === 0 ? (
          <text
            key={d.day}
            x={(x(d.day) ?? 0) + x.bandwidth() / 2}
            y={height - 6}
            textAnchor="middle"
            fontSize={10}
            fill="var(--mantine-color-dimmed)"
          >
            {d.day.slice(5)}
          </text>
        ) : null,
      )}
    </svg>
  );
}
