// Every recorded history with a known verdict (../shared/fixtures/histories, see its README) gets
// that verdict: 60 etcd compare-and-set logs recorded by Jepsen, and the key–value histories with
// 1 and 10 clients, checked per key. The whole file runs in about a second: the hardest etcd log
// (etcd_002) takes ~790,000 search steps.
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { DEFAULT_MAX_STEPS, casRegisterModel, checkLinearizability, kvModel, parseJepsenEtcdLog, parseKvHistory } from "../../lib/check";
import { FIXTURES } from "./histories";

const verdicts = fs
  .readFileSync(path.join(FIXTURES, "etcd/verdicts.txt"), "utf8")
  .trim()
  .split("\n")
  .map((line) => line.trim().split(/\s+/) as [string, string]);

describe("etcd compare-and-set histories recorded by Jepsen", () => {
  it("lists all 60 logs, with both verdicts", () => {
    expect(verdicts).toHaveLength(60);
    expect(new Set(verdicts.map(([, v]) => v))).toEqual(new Set(["linearizable", "not-linearizable"]));
  });

  it.each(verdicts)("%s is %s", (file, expected) => {
    const h = parseJepsenEtcdLog(fs.readFileSync(path.join(FIXTURES, "etcd", file), "utf8"), file);
    const result = checkLinearizability(h, casRegisterModel());
    expect(result.verdict).toBe(expected);
    expect(result.steps).toBeLessThan(DEFAULT_MAX_STEPS);
    if (expected === "not-linearizable") {
      // the explanation names an operation that completed, and the prefix respects real time
      const v = result.violation!;
      expect(v.blocked.completeMs).toBeDefined();
      const position = new Map(v.prefix.map((op, k) => [op.id, k]));
      for (const a of v.prefix) for (const b of v.prefix) {
        if (a.completeMs !== undefined && a.completeMs < b.invokeMs) expect(position.get(a.id)!).toBeLessThan(position.get(b.id)!);
      }
    }
  });
});

describe("key–value histories (get/put/append), checked per key", () => {
  const files = fs.readdirSync(path.join(FIXTURES, "kv")).filter((f) => f.endsWith(".txt")).sort();

  it("has the 1- and 10-client histories, good and bad", () => {
    expect(files).toEqual(["c01-bad.txt", "c01-ok.txt", "c10-bad.txt", "c10-ok.txt"]);
  });

  it.each(files)("%s", (file) => {
    const expected = file.includes("-ok") ? "linearizable" : "not-linearizable";
    const h = parseKvHistory(fs.readFileSync(path.join(FIXTURES, "kv", file), "utf8"), file);
    const result = checkLinearizability(h, kvModel());
    expect(result.verdict).toBe(expected);
    expect(result.partitioned).toBe(true);
    if (expected === "linearizable") {
      // a linearization of every key, covering every operation once
      const ordered = result.parts.flatMap((p) => p.order).sort((a, b) => a - b);
      expect(ordered).toEqual(h.operations.map((op) => op.id));
    }
  });

  it("the one-client histories get the same verdicts without the per-key split", () => {
    for (const file of ["c01-ok.txt", "c01-bad.txt"]) {
      const h = parseKvHistory(fs.readFileSync(path.join(FIXTURES, "kv", file), "utf8"), file);
      expect(checkLinearizability(h, kvModel(), { partition: false }).verdict).toBe(file.includes("-ok") ? "linearizable" : "not-linearizable");
    }
  });
});
