// Demonstration, written as notebook cells: how a notebook checks the histories its simulations
// record for linearizability. Copy the cells; each `it` is one cell, and the comments are the
// notebook's prose. (In a notebook, import from "./lib" and show diagrams with showMermaid.)
import fs from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import {
  assertLinearizable,
  casRegisterModel,
  checkLinearizability,
  explainLinearizability,
  kvModel,
  linearizabilityDiagram,
  parseJepsenEtcdLog,
  registerModel,
  type KvInput,
} from "../../lib/check";
import { HistoryRecorder, type History } from "../../lib/history";
import { latency } from "../../lib/net";
import type { Node } from "../../lib/node";
import { Simulation } from "../../lib/simulation";
import { FIXTURES } from "./histories";

describe("demo: checking histories for linearizability, cell by cell", () => {
  it("cell 1 — a history by hand: a read that misses a completed write", () => {
    // c1 |--write(1)--|
    // c2                 |--read → 0--|
    const h: History = {
      operations: [
        { id: 0, process: "c1", f: "write", input: 1, invokeMs: 0, completion: "ok", completeMs: 10 },
        { id: 1, process: "c2", f: "read", input: null, invokeMs: 20, completion: "ok", completeMs: 30, output: 0 },
      ],
    };
    const result = checkLinearizability(h, registerModel({ initial: 0 }));
    expect(result.verdict).toBe("not-linearizable");
    // console.log(explainLinearizability(result));
    expect(explainLinearizability(result)).toContain("It does not fit: read 0, but the register holds 1.");
  });

  /**
   * A key–value store with a primary and a backup: the primary acknowledges a put at once and
   * forwards the puts to the backup every 50 ms (asynchronous replication). Three clients put and get keys x and y; gets
   * go to `readFrom`. Every operation is recorded into a history as the clients see it.
   */
  async function primaryBackupRun(readFrom: "primary" | "backup", seed: number): Promise<History<KvInput, string>> {
    const sim = new Simulation({ seed, network: { latency: latency.uniform(1, 10) } });
    const rec = new HistoryRecorder<KvInput, string>();
    const store = (node: Node, data: Map<string, string>) => {
      node.on("get", (m) => node.reply(m, { type: "get_ok", value: data.get(m.body.key) ?? "" }));
    };
    sim.spawn("primary", (node) => {
      const data = new Map<string, string>();
      store(node, data);
      let unsent: Array<[string, string]> = [];
      node.on("put", (m) => {
        data.set(m.body.key as string, m.body.value as string);
        unsent.push([m.body.key, m.body.value]);
        node.reply(m, { type: "put_ok" }); // acknowledged before the backup has it
      });
      node.setPeriodic(50, () => {
        if (unsent.length > 0) node.send("backup", { type: "replicate", updates: unsent });
        unsent = [];
      }, "replicate");
    });
    sim.spawn("backup", (node) => {
      const data = new Map<string, string>();
      store(node, data);
      node.on("replicate", (m) => {
        for (const [key, value] of m.body.updates as Array<[string, string]>) data.set(key, value);
      });
    });
    for (const id of ["c1", "c2", "c3"]) {
      sim.spawn(id, (node) => {
        void (async () => {
          for (let i = 0; i < 10; i++) {
            const key = node.rng.pick(["x", "y"]);
            const isPut = node.rng.chance(0.5);
            const input: KvInput = isPut ? { key, value: `${id}.${i}` } : { key };
            const op = rec.invoke(id, isPut ? "put" : "get", input, node.now());
            try {
              const reply = await node.rpc(isPut ? "primary" : readFrom, { type: isPut ? "put" : "get", ...input }, { timeoutMs: 100 });
              rec.complete(op, "ok", reply.body.value as string | undefined, node.now());
            } catch {
              rec.complete(op, "info", undefined, node.now()); // timed out: it may or may not have happened
            }
          }
        })();
      });
    }
    await sim.runFor(1000);
    return rec.history();
  }

  it("cell 2 — record a history from a simulation: reads from a lagging backup are stale", async () => {
    const h = await primaryBackupRun("backup", 7);
    const result = checkLinearizability(h, kvModel()); // checked key by key (P-compositionality)
    expect(result.verdict).toBe("not-linearizable");
    // console.log(explainLinearizability(result));
    // await showMermaid(linearizabilityDiagram(result), { file: "diagrams/NN-topic/stale-backup-read.mmd" });
    expect(explainLinearizability(result)).toMatch(/get\("[xy]"\) returned .*, but the key holds/);
    expect(linearizabilityDiagram(result)).toMatch(/^gantt\n/);
  });

  it("cell 3 — the fix: read from the primary, and every seed is linearizable", async () => {
    for (const seed of [1, 2, 3, 4, 5, 6, 7]) {
      const h = await primaryBackupRun("primary", seed);
      expect(checkLinearizability(h, kvModel()).verdict).toBe("linearizable");
    }
  });

  it("cell 4 — a history Jepsen recorded against etcd, with its explanation", () => {
    const h = parseJepsenEtcdLog(fs.readFileSync(path.join(FIXTURES, "etcd/etcd_000.log"), "utf8"));
    const result = checkLinearizability(h, casRegisterModel());
    expect(result.verdict).toBe("not-linearizable");
    expect(result.violation?.blocked.text).toBe("read → 2");
  });

  it("cell 5 — in a grader: assertLinearizable fails on a violation and on a budget that ran out", async () => {
    const h = await primaryBackupRun("backup", 7);
    expect(() => assertLinearizable(h, kvModel())).toThrow(/Not linearizable/);
    const good = await primaryBackupRun("primary", 7);
    expect(assertLinearizable(good, kvModel()).verdict).toBe("linearizable");
    expect(() => assertLinearizable(good, kvModel(), { maxSteps: 5 })).toThrow(/UNKNOWN — this is not a pass[\s\S]*maxSteps/);
  });
});
