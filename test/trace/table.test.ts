import { describe, expect, it } from "vitest";
import { formatTable } from "../../lib/trace";

describe("formatTable", () => {
  it("right-aligns every column under its header, in the order of the first row's keys", () => {
    const text = formatTable([
      { policy: "round-robin", "p99 ms": 317 },
      { policy: "least-connections", "p99 ms": 74 },
    ]);
    expect(text.split("\n")).toEqual([
      "           policy  p99 ms",
      "─────────────────  ──────",
      "      round-robin     317",
      "least-connections      74",
    ]);
  });

  it("rounds numbers that are not whole only when asked, and says when there is nothing to show", () => {
    expect(formatTable([{ x: 2 / 3, n: 4 }], { digits: 2 }).split("\n")[2]).toBe("0.67  4");
    expect(formatTable([{ x: 2 / 3 }]).split("\n")[2]).toBe(String(2 / 3));
    expect(formatTable([])).toBe("(no rows)");
  });
  it("left-aligns text columns when asked, without trailing spaces", () => {
    expect(formatTable([{ design: "first", fails: "a message twice" }, { design: "fixed", fails: "—" }], { align: "left" }).split("\n")).toEqual([
      "design  fails",
      "──────  ───────────────",
      "first   a message twice",
      "fixed   —",
    ]);
  });
});
