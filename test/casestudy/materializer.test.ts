import { describe, expect, it } from "vitest";
import { answerAppendedOffset, chatFrontEnd, checkRoomHistories, historyMaterializer, type AckedPost, type HistoryMaterializer } from "../../lib/casestudy/index";
import { logBroker } from "../../lib/log/index";
import { latency } from "../../lib/net/index";
import { hs256Key, keySet, secretFromLabel, signToken } from "../../lib/security/index";
import { Simulation } from "../../lib/simulation/index";

const key = hs256Key("k1", secretFromLabel("chat-test"));

/** Two front-ends; client c1 posts c1:1..c1:3 to f1, then "retries" c1:2 through f2 (as a gateway might). */
function retriedThroughAnotherFrontEnd(seed: number, dedupById: boolean) {
  const sim = new Simulation({ seed, network: { latency: latency.uniform(1, 5) } });
  sim.spawn("b1", (node) => void logBroker(node, { topics: [{ name: "rooms", partitions: 2 }] }));
  for (const f of ["f1", "f2"]) sim.spawn(f, (node) => void chatFrontEnd(node, { brokers: ["b1"], keys: keySet([key]), handlePost: answerAppendedOffset }));
  let history!: HistoryMaterializer;
  sim.spawn("m1", (node) => void (history = historyMaterializer(node, { brokers: ["b1"], partitions: 2, dedupById })));
  const acked: AckedPost[] = [];
  sim.spawn("c1", async (node) => {
    const token = signToken({ sub: "ada", aud: "chat" }, key);
    for (const [frontEnd, n] of [["f1", 1], ["f1", 2], ["f1", 3], ["f2", 2]] as const) {
      const reply = await node.rpc(frontEnd, { type: "post", token, room: "r1", id: `c1:${n}`, text: `m${n}` }, { timeoutMs: 1000 });
      if (reply.body.type === "post_ok" && frontEnd === "f1") acked.push({ room: "r1", id: `c1:${n}`, seq: reply.body.seq as number });
    }
  });
  return { sim, history: () => history, acked };
}

describe("history materializer: deduplication by message id, end to end", () => {
  it("keeps one copy of a post the log holds twice", async () => {
    const { sim, history, acked } = retriedThroughAnotherFrontEnd(1, true);
    await sim.runFor(1500);
    expect(acked).toHaveLength(3);
    expect(history().rooms().r1.map((m) => m.id)).toEqual(["c1:1", "c1:2", "c1:3"]);
    expect(history().outcomes.duplicate).toBe(1);
    expect(checkRoomHistories(history().rooms(), acked)).toEqual([]);
  });

  it("the first design (no dedup) shows the retried post twice, and the check says so", async () => {
    const { sim, history, acked } = retriedThroughAnotherFrontEnd(1, false);
    await sim.runFor(1500);
    const problems = checkRoomHistories(history().rooms(), acked);
    expect(problems).toHaveLength(1);
    expect(problems[0]).toMatch(/^room r1: message c1:2 appears twice/);
  });

  it("a restarted materializer replays the log and rebuilds the same histories", async () => {
    const { sim, history } = retriedThroughAnotherFrontEnd(2, true);
    await sim.runFor(1500);
    const first = history();
    const before = first.rooms();
    sim.crash("m1");
    await sim.runFor(100);
    sim.restart("m1");
    await sim.runFor(1500);
    expect(history()).not.toBe(first); // a new incarnation, with empty memory at start
    expect(history().outcomes).toEqual({ appended: 3, duplicate: 1, stale: 0 });
    expect(history().rooms()).toEqual(before);
  });
});
