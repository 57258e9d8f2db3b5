/**
 * Plain-text tables for notebooks and benchmarks: one row per object, the columns in the order of
 * the first row's keys, every cell right-aligned, a rule under the header.
 */

/** Options of {@link formatTable}. */
export interface TableOptions {
  /** Digits after the point for numbers that are not whole (default: as `String(n)` prints them). */
  digits?: number;
  /** "right" (default) suits numbers; "left" suits text, with no trailing spaces. */
  align?: "right" | "left";
}

/**
 * Formats rows of objects as an aligned text table.
 *
 * @example
 * console.log(formatTable([{ k: 1, "p99 ms": 12.25 }, { k: 2, "p99 ms": 30 }], { digits: 1 }));
 * // (with { align: "left" } every column is padded on the right instead, for text)
 * //  k  p99 ms
 * //  ─  ──────
 * //  1    12.3
 * //  2      30
 */
export function formatTable(rows: ReadonlyArray<Record<string, unknown>>, options: TableOptions = {}): string {
  if (rows.length === 0) return "(no rows)";
  const columns = Object.keys(rows[0]);
  const cell = (v: unknown): string =>
    typeof v === "number" && options.digits !== undefined && !Number.isInteger(v) ? v.toFixed(options.digits) : String(v);
  const cells = rows.map((row) => columns.map((c) => cell(row[c])));
  const widths = columns.map((c, i) => Math.max(c.length, ...cells.map((row) => row[i].length)));
  const line = (values: string[]): string =>
    options.align === "left" ? values.map((v, i) => v.padEnd(widths[i])).join("  ").trimEnd() : values.map((v, i) => v.padStart(widths[i])).join("  ");
  return [line(columns), line(widths.map((w) => "─".repeat(w))), ...cells.map(line)].join("\n");
}
