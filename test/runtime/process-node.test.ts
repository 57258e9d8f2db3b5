// lib's Node on real time in a real process: timers (one-shot, cancelled, periodic), a handler that
// throws, and node.storage across a process that is killed (SIGKILL) and started again with the
// same --storage directory. Real processes and real time: few tests, bounded, no retries.
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { NodeProcess, initMessage } from "../../runtime/node-process";
import { ERROR_CODES } from "../../runtime/maelstrom";

const TIMEOUT_MS = 20_000;
const PROBE = ["runtime/examples/probe.ts", "probeNode"];
const dirs: string[] = [];
const tempDir = (): string => {
  const dir = mkdtempSync(join(tmpdir(), "distlab-node-"));
  dirs.push(dir);
  return dir;
};
afterAll(() => {
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
});

const to = (body: object): object => ({ src: "c1", dest: "n1", body });

describe("a node in a real process", () => {
  it("runs timers on real time: a one-shot after its delay, never a cancelled one, a periodic until cancelled", async () => {
    const dir = tempDir();
    const tracePath = join(dir, "n1.trace.jsonl");
    const p = NodeProcess.start([...PROBE, "--seed", "5", "--trace", tracePath]);
    p.send(initMessage("n1", ["n1", "n2"]));
    p.send(to({ type: "later", msg_id: 1, delayMs: 300 }));
    p.send(to({ type: "ticks", msg_id: 2, count: 3, everyMs: 50 }));
    p.send(to({ type: "boom", msg_id: 3 }));
    const later = await p.next((m) => m.body.type === "later_ok");
    await p.next((m) => m.body.type === "tick_ok" && m.body.n === 3);
    const failed = await p.next((m) => m.body.in_reply_to === 3);
    await new Promise((resolve) => setTimeout(resolve, 200)); // room for a 4th tick, which must not come
    const end = await p.end();

    expect(later.body.elapsedMs).toBeGreaterThanOrEqual(300);
    expect(later.body.elapsedMs).toBeLessThan(3000);
    expect(p.lines.filter((m) => m.body.type === "tick_ok").map((m) => m.body.n)).toEqual([1, 2, 3]);
    expect(p.lines.some((m) => m.body.type === "cancelled_fired")).toBe(false);
    // a handler that throws answers its request with error 13 (crash) and the node keeps running
    expect(failed.body).toMatchObject({ type: "error", code: ERROR_CODES.crash, text: "boom handler failed on purpose" });
    expect(end.stderr).toMatch(/distlab-node n1 at [\d.]+ms: error during message boom from c1: boom handler failed on purpose/);
    expect(end.code).toBe(0);

    const events = readFileSync(tracePath, "utf8").trim().split("\n").map((l) => JSON.parse(l));
    expect(events.filter((e) => e.kind === "timer" && e.name === "tick")).toHaveLength(3);
    expect(events.find((e) => e.kind === "error")).toMatchObject({ node: "n1", during: "message boom from c1" });
    for (const e of events) expect(e.wallMs).toBeGreaterThan(1.6e12); // epoch ms, for merging several processes' files
  }, TIMEOUT_MS);

  it("keeps node.storage across a kill -9 and a restart with the same --storage directory", async () => {
    const dir = tempDir();
    const first = NodeProcess.start([...PROBE, "--storage", dir]);
    first.send(initMessage("n1", ["n1", "n2", "n3"]));
    first.send(to({ type: "keep", msg_id: 1, value: { term: 3, log: ["x"] } }));
    await first.next((m) => m.body.type === "keep_ok"); // acknowledged ⇒ on disk (durable)
    const killed = await first.kill();
    expect(killed.signal).toBe("SIGKILL");

    const second = NodeProcess.start([...PROBE, "--storage", dir]);
    second.send(initMessage("n1", ["n1", "n2", "n3"]));
    second.send(to({ type: "status", msg_id: 1 }));
    const status = await second.next((m) => m.body.type === "status_ok");
    await second.end();
    expect(status.body).toMatchObject({ incarnation: 2, starts: 2, kept: { term: 3, log: ["x"] }, peers: ["n2", "n3"] });
    // the second incarnation numbers its messages apart from the first's (a late reply never matches)
    expect(first.lines.map((m) => m.body.msg_id)).toEqual([1, 2]);
    expect(second.lines.map((m) => m.body.msg_id)).toEqual([1_000_000_001, 1_000_000_002]);
  }, TIMEOUT_MS);
});
