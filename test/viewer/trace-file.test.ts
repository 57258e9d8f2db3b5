// Saved traces: a stable, versioned JSON file. Saving what was loaded gives the same bytes; the
// events, seed and node order come back (the restored trace has the same hash); a file of another
// format or version, or a malformed one, is refused with a message that says what is wrong.
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { Simulation, latency } from "../../lib";
import { TRACE_FORMAT, TRACE_VERSION, loadTrace, restoreTrace, saveTrace, traceFromJson, traceToJson } from "../../lib/viewer";
import { VIEWER_EVENTS } from "./fixtures";

/** A run with loss, duplicates, a crash, a restart and a partition. */
async function faultyRun(): Promise<Simulation> {
  const sim = new Simulation({ seed: 5, network: { latency: latency.uniform(2, 9), lossProbability: 0.2, duplicationProbability: 0.2 } });
  for (const id of ["n1", "n2", "n3"]) {
    sim.spawn(id, (node) => {
      node.setState("up", "start");
      node.on("ping", (m) => node.reply(m, { type: "pong", text: "ünïcode → ok", n: Number((m.body as unknown as { n: number }).n) }));
      node.on("pong", () => {});
      let n = 0;
      node.setPeriodic(10, () => node.peers().forEach((p) => node.send(p, { type: "ping", n: ++n })), "tick");
    });
  }
  sim.at(25, () => sim.crash("n2"));
  sim.at(35, () => sim.partition([["n1"], ["n2", "n3"]]));
  sim.at(55, () => sim.heal());
  sim.at(60, () => sim.restart("n2"));
  await sim.runFor(80);
  return sim;
}

describe("saved traces", () => {
  it("save → load → save is byte-stable, and the restored trace hashes the same", async () => {
    const sim = await faultyRun();
    const counts = sim.trace.countsByKind();
    expect(counts.drop).toBeGreaterThan(0);
    expect(counts.duplicate).toBeGreaterThan(0);
    const text = traceToJson(sim.trace, { title: "faulty run" });
    const saved = traceFromJson(text);
    expect(traceToJson(saved)).toBe(text);
    expect(saved.meta).toEqual({ seed: 5, nodes: ["n1", "n2", "n3"], title: "faulty run" });
    expect(saved.events).toEqual(sim.trace.events);
    expect(restoreTrace(saved).hash()).toBe(sim.trace.hash());
    // One event a line, after a header line.
    const lines = text.trimEnd().split("\n");
    expect(lines[0]).toBe(`{"format":"${TRACE_FORMAT}","version":${TRACE_VERSION},"meta":{"seed":5,"nodes":["n1","n2","n3"],"title":"faulty run"},"events":[`);
    expect(lines.length).toBe(sim.trace.events.length + 2);
    expect(lines[lines.length - 1]).toBe("]}");
  });

  it("saveTrace and loadTrace go through a file; a list of events saves too", () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "distlab-trace-"));
    try {
      const file = path.join(dir, "sub", "run.trace.json");
      expect(saveTrace(VIEWER_EVENTS, file, { title: "hand-built", groups: { left: ["a"] } })).toBe(file);
      const saved = loadTrace(file);
      expect(saved.events).toEqual(VIEWER_EVENTS);
      expect(saved.meta).toEqual({ nodes: ["a", "b", "c"], title: "hand-built", groups: { left: ["a"] } });
      expect(traceToJson(saved)).toBe(fs.readFileSync(file, "utf8"));
      expect(traceToJson([])).toBe(`{"format":"distlab-trace","version":1,"meta":{"nodes":[]},"events":[]}\n`);
      expect(traceFromJson(traceToJson([])).events).toEqual([]);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  it("refuses an unknown version, naming it and the version it reads", () => {
    const text = traceToJson(VIEWER_EVENTS).replace('"version":1', '"version":2');
    expect(() => traceFromJson(text, "run.trace.json")).toThrow(
      "run.trace.json: unknown distlab trace version 2; this distlab reads version 1 (the file was written by a newer distlab: update this checkout)",
    );
    expect(() => traceFromJson(text.replace('"version":2', '"version":"1"'))).toThrow('unknown distlab trace version "1"');
    expect(() => traceFromJson(text.replace('"version":2,', ""))).toThrow("unknown distlab trace version undefined");
  });

  it("refuses malformed files with a message that says what is wrong", () => {
    const ok = JSON.parse(traceToJson(VIEWER_EVENTS));
    const bad = (patch: object) => JSON.stringify({ ...ok, ...patch });
    expect(() => traceFromJson("{nope", "x.json")).toThrow(/^x\.json is not a distlab trace: it is not JSON/);
    expect(() => traceFromJson("[1,2]")).toThrow("expected a JSON object");
    expect(() => traceFromJson(bad({ format: "chrome-trace" }))).toThrow(`"format" is "chrome-trace", expected "distlab-trace"`);
    expect(() => traceFromJson(bad({ meta: [] }))).toThrow(`"meta" must be an object`);
    expect(() => traceFromJson(bad({ meta: { nodes: "a" } }))).toThrow(`"meta.nodes" must be a list of node ids`);
    expect(() => traceFromJson(bad({ meta: { nodes: [], seed: "7" } }))).toThrow(`"meta.seed" must be a number`);
    expect(() => traceFromJson(bad({ events: {} }))).toThrow(`"events" must be a list`);
    expect(() => traceFromJson(bad({ events: [{ kind: "send" }] }))).toThrow(`event 0 must be an object with a "kind" and a numeric "timeMs"`);
    expect(() => loadTrace(path.join(os.tmpdir(), "no-such-distlab-trace.json"))).toThrow(/ENOENT/);
  });
});
