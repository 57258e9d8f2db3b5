// A first acceptance scenario (plan R2 + R3, reduced): front-ends crash and restart, 10% of
// messages are lost; clients retry a post with the same id at the next front-end. After healing,
// every client's posts must be acked and each room's history must hold every acked post once, in
// order. The first design (no dedup by id) must fail on some seed — the notebook's failing seed.
import { describe, expect, it } from "vitest";
import { chatFrontEnd, checkRoomHistories, historyMaterializer, type AckedPost, type HistoryMaterializer } from "../../lib/casestudy/index";
import { logBroker } from "../../lib/log/index";
import { latency } from "../../lib/net/index";
import { hs256Key, keySet, secretFromLabel, signToken } from "../../lib/security/index";
import { runPhases, Simulation } from "../../lib/simulation/index";

const key = hs256Key("k1", secretFromLabel("chat-acceptance"));
const FRONT_ENDS = ["f1", "f2", "f3"];
const ROOMS = ["r1", "r2", "r3"];
const CLIENTS = 4;
const POSTS_PER_CLIENT = 8;

/** The designs in the order the notebook meets them. */
type Design = "first" | "dedup-only" | "fixed";

async function scenario(seed: number, design: Design) {
  const dedupById = design !== "first";
  const sim = new Simulation({ seed, network: { latency: latency.uniform(1, 10) } });
  sim.spawn("b1", (node) => void logBroker(node, { topics: [{ name: "rooms", partitions: 2 }] }));
  for (const f of FRONT_ENDS) {
    sim.spawn(f, (node) => {
      const answerFrom = design === "fixed" ? historyMaterializer(node, { brokers: ["b1"], partitions: 2 }) : undefined;
      chatFrontEnd(node, { brokers: ["b1"], keys: keySet([key]), answerFrom });
    });
  }
  let history!: HistoryMaterializer;
  sim.spawn("m1", (node) => void (history = historyMaterializer(node, { brokers: ["b1"], partitions: 2, dedupById })));
  const acked: AckedPost[] = [];
  const done = new Set<string>();
  for (let c = 1; c <= CLIENTS; c++) {
    const id = `c${c}`;
    sim.spawn(id, async (node) => {
      const token = signToken({ sub: `user${c}`, aud: "chat" }, key);
      let target = c % FRONT_ENDS.length;
      for (let n = 1; n <= POSTS_PER_CLIENT; n++) {
        const room = ROOMS[node.rng.int(0, ROOMS.length)];
        for (;;) {
          try {
            const reply = await node.rpc(FRONT_ENDS[target], { type: "post", token, room, id: `${id}:${n}`, text: `hello ${n}` }, { timeoutMs: 300 });
            if (reply.body.type === "post_ok") {
              acked.push({ room, id: `${id}:${n}`, seq: reply.body.seq as number });
              break;
            }
          } catch {
            // timed out: the post may or may not be in the log; retry the same id elsewhere
          }
          target = (target + 1) % FRONT_ENDS.length;
        }
        await node.sleep(node.rng.int(5, 40));
      }
      done.add(id);
    });
  }
  const result = await runPhases(sim, {
    nemesis: { nodes: FRONT_ENDS, crashEveryMs: 150, downMs: 200, crashedMax: 1, lossProbability: 0.1 },
    faultMs: 1500,
    liveness: {
      description: "every post is acked and the histories hold each acked post once, in order",
      holds: () => done.size === CLIENTS && checkRoomHistories(history.rooms(), acked).length === 0,
      withinMs: 5000,
    },
  }).catch((error: unknown) => ({ error }));
  return { result, problems: checkRoomHistories(history.rooms(), acked), acked, duplicates: history.outcomes.duplicate };
}

describe("acceptance: posts survive front-end crashes and message loss, once and in order", () => {
  it("the fixed design passes on 8 seeds", async () => {
    for (let seed = 1; seed <= 8; seed++) {
      const { result, problems, acked } = await scenario(seed, "fixed");
      expect({ seed, problems, error: "error" in result ? String(result.error) : undefined }).toEqual({ seed, problems: [], error: undefined });
      expect(acked).toHaveLength(CLIENTS * POSTS_PER_CLIENT);
    }
  });

  const firstFailure = async (design: Design): Promise<{ seed: number; problem: string } | undefined> => {
    for (let seed = 1; seed <= 8; seed++) {
      const { problems } = await scenario(seed, design);
      if (problems.length > 0) return { seed, problem: problems[0] };
    }
    return undefined;
  };

  it("the first design (no dedup by id) fails on some seed with a duplicate", async () => {
    const failure = await firstFailure("first");
    expect(failure?.problem).toMatch(/appears twice/);
  });

  it("dedup at the materializer alone is not enough: a retry is acked with the duplicate's seq", async () => {
    const failure = await firstFailure("dedup-only");
    expect(failure?.problem).toMatch(/was acked with seq \d+ but is stored at seq \d+/);
  });
});
