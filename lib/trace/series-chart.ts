/**
 * A chart of several measured series over the same x values (a parameter swept by an experiment:
 * load, cache size, number of workers), for notebooks: each series is stretched to `width`
 * columns by linear interpolation, the x values are written under the axis, and a legend names
 * each series in its colour.
 */
import { blue, green, magenta, plot, red, reset, yellow } from "asciichart";

/** Options of {@link formatSeriesChart}. */
export interface SeriesChartOptions {
  /** What the x values are, written after the axis labels (e.g. "load (share of capacity)"). */
  x: string;
  /** What the y values are, written above the chart. */
  y: string;
  /** Rows of the chart (default 8). */
  height?: number;
  /** Columns of the chart (default 60). */
  width?: number;
  /** Digits after the point of the y labels (default 2). */
  digits?: number;
}

/** The series' colours, in order (at most five series). */
const COLOURS = [blue, red, green, yellow, magenta];

/**
 * Draws `series` (name → one y per x) over `xs` as a terminal line chart, with the x values under
 * the axis and a legend.
 *
 * @example
 * console.log(formatSeriesChart([0.3, 0.6, 0.9], { "round-robin": [109, 496, 1078], "least-connections": [69, 77, 138] },
 *   { x: "load", y: "p99 ms" }));
 */
export function formatSeriesChart(xs: ReadonlyArray<number | string>, series: Readonly<Record<string, readonly number[]>>, options: SeriesChartOptions): string {
  const names = Object.keys(series);
  if (names.length === 0 || names.length > COLOURS.length) throw new RangeError(`formatSeriesChart: 1 to ${COLOURS.length} series, got ${names.length}`);
  if (xs.length < 2) throw new RangeError(`formatSeriesChart: at least two x values, got ${xs.length}`);
  for (const name of names) {
    if (series[name].length !== xs.length) throw new RangeError(`formatSeriesChart: series "${name}" has ${series[name].length} values for ${xs.length} x values`);
  }
  const width = options.width ?? 60;
  const digits = options.digits ?? 2;
  const stretch = (ys: readonly number[]): number[] =>
    Array.from({ length: width }, (_, c) => {
      const t = (c / (width - 1)) * (ys.length - 1);
      const i = Math.min(Math.floor(t), ys.length - 2);
      return ys[i] + (ys[i + 1] - ys[i]) * (t - i);
    });
  const axis: string[] = Array(width + 16).fill(" ");
  xs.forEach((x, i) => [...String(x)].forEach((ch, k) => (axis[10 + Math.round((i / (xs.length - 1)) * (width - 1)) + k] = ch)));
  const chart = plot(names.map((n) => stretch(series[n])), {
    height: options.height ?? 8,
    colors: COLOURS.slice(0, names.length),
    format: (v: number) => v.toFixed(digits).padStart(8),
  });
  const legend = names.map((n, i) => `${COLOURS[i]}───${reset} ${n}`).join("   ");
  return `${options.y}\n${chart}\n${axis.join("").trimEnd()}   ${options.x}\n${legend}`;
}
