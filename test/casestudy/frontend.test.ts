import { describe, expect, it } from "vitest";
import { answerAppendedOffset, chatFrontEnd } from "../../lib/casestudy/index";
import { logBroker } from "../../lib/log/index";
import { latency } from "../../lib/net/index";
import { hs256Key, keySet, secretFromLabel, signToken } from "../../lib/security/index";
import { Simulation } from "../../lib/simulation/index";

const key = hs256Key("k1", secretFromLabel("chat-test"));

function run(seed: number, requests: Array<Record<string, unknown>>) {
  const sim = new Simulation({ seed, network: { latency: latency.uniform(1, 5) } });
  sim.spawn("b1", (node) => void logBroker(node, { topics: [{ name: "rooms", partitions: 4 }] }));
  sim.spawn("f1", (node) => void chatFrontEnd(node, { brokers: ["b1"], keys: keySet([key]), handlePost: answerAppendedOffset }));
  const replies: Array<Record<string, unknown>> = [];
  sim.spawn("c1", async (node) => {
    for (const body of requests) {
      const reply = await node.rpc("f1", body as { type: string }, { timeoutMs: 1000 });
      const { msg_id: _m, in_reply_to: _r, ...rest } = reply.body;
      replies.push(rest);
    }
  });
  return { sim, replies };
}

const token = (claims: Record<string, unknown> = {}) => signToken({ sub: "ada", aud: "chat", ...claims }, key);

describe("chat front-end: the post path", () => {
  it("numbers the posts of one room in order with the log offset", async () => {
    const posts = [1, 2, 3].map((i) => ({ type: "post", token: token(), room: "r1", id: `c1:${i}`, text: `m${i}` }));
    const { sim, replies } = run(1, posts);
    await sim.runFor(1000);
    expect(replies.map((r) => r.type)).toEqual(["post_ok", "post_ok", "post_ok"]);
    const seqs = replies.map((r) => r.seq as number);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    expect(new Set(seqs).size).toBe(3);
  });

  it("rejects a malformed body with 12 and a bad or foreign token with 14", async () => {
    const { sim, replies } = run(2, [
      { type: "post", token: token(), room: "", id: "c1:1", text: "x" },
      { type: "post", token: token({ aud: "billing" }), room: "r1", id: "c1:2", text: "x" },
      { type: "post", token: signToken({ sub: "eve", aud: "chat" }, hs256Key("k1", secretFromLabel("forged"))), room: "r1", id: "c1:3", text: "x" },
    ]);
    await sim.runFor(1000);
    expect(replies.map((r) => r.code)).toEqual([12, 14, 14]);
    expect(String(replies[2].text)).toMatch(/^unauthorized: /);
  });
});
