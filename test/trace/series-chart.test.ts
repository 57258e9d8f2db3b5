import { describe, expect, it } from "vitest";
import { formatSeriesChart } from "../../lib/trace";

const plain = (s: string): string => s.replace(/\x1b\[[0-9;]*m/g, "");

describe("formatSeriesChart", () => {
  it("draws every series over the x values, labels the axis and names each series in the legend", () => {
    const text = plain(formatSeriesChart([1, 2, 4], { measured: [1, 1.9, 3.2], ideal: [1, 2, 4] }, { x: "workers", y: "speed-up", height: 4, width: 20 }));
    const lines = text.split("\n");
    expect(lines[0]).toBe("speed-up");
    expect(lines).toHaveLength(1 + 5 + 2);
    expect(lines[1]).toContain("4.00");
    expect(lines[5]).toContain("1.00");
    // x values sit at even steps (the series are stretched by index, not by value)
    expect(lines[6]).toMatch(/^ {10}1 {9}2 {8}4 {3}workers$/);
    expect(lines[7]).toBe("─── measured   ─── ideal");
  });

  it("rejects what it cannot draw, saying what is wrong", () => {
    expect(() => formatSeriesChart([1], { a: [1] }, { x: "x", y: "y" })).toThrow("at least two x values, got 1");
    expect(() => formatSeriesChart([1, 2], { a: [1] }, { x: "x", y: "y" })).toThrow('series "a" has 1 values for 2 x values');
    expect(() => formatSeriesChart([1, 2], {}, { x: "x", y: "y" })).toThrow("1 to 5 series, got 0");
  });
});
