// The object-based style: client proxy, server skeleton, remote references (lib/styles/stubs.ts; lecture 001 §2).
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation/index";
import { latency } from "../../lib/net/index";
import { RpcTimeoutError } from "../../lib/node/index";
import { RemoteException, measureRmiGranularity, rmiClient, rmiSkeleton, type RemoteObject, type RmiSkeleton } from "../../lib/styles/index";

class Account {
  constructor(private balanceCents: number) {}
  balance(): number { return this.balanceCents; }
  withdraw(cents: number): number {
    if (cents > this.balanceCents) throw new RangeError(`insufficient funds: ${this.balanceCents} < ${cents}`);
    return (this.balanceCents -= cents);
  }
}

function bank(sim: Simulation): { skeleton: () => RmiSkeleton } {
  let skeleton!: RmiSkeleton;
  sim.spawn("bank", (node) => {
    skeleton = rmiSkeleton(node);
    const alice = new Account(100);
    skeleton.bind("alice", alice);
    skeleton.bind("branch", { account: (name: string) => (name === "alice" ? alice : null), slow: async () => { await node.sleep(5); return "done"; } });
  });
  return { skeleton: () => skeleton };
}

describe("proxy and skeleton", () => {
  it("a method call on the proxy is marshalled, run on the server, and its result returned", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.constant(5) } });
    const server = bank(sim);
    const client = sim.spawn("client");
    const rmi = rmiClient(client, { timeoutMs: 100 });
    const alice = rmi.lookup<Account>({ node: "bank", objectId: "alice" });
    expect(await sim.runUntilSettled(alice.withdraw(30))).toBe(70);
    expect(await sim.runUntilSettled(alice.balance())).toBe(70);
    expect(sim.now()).toBe(20); // two calls, one round trip each
    expect(server.skeleton().calls).toBe(2);
    expect(rmi.stats.calls).toBe(2);
    const sent = sim.trace.filter({ kinds: ["send"] });
    expect(sent.map((e) => e.type)).toEqual(["rmi_call", "rmi_return", "rmi_call", "rmi_return"]);
    expect(JSON.parse(sent[0].json)).toMatchObject({ objectId: "alice", method: "withdraw", args: [30] });
  });

  it("a remote exception surfaces at the caller as an error with the remote name", async () => {
    const sim = new Simulation({ seed: 2 });
    bank(sim);
    const rmi = rmiClient(sim.spawn("client"), { timeoutMs: 100 });
    const alice = rmi.lookup<Account>({ node: "bank", objectId: "alice" });
    const error = await sim.runUntilSettled(alice.withdraw(1000).then(() => undefined, (e) => e));
    expect(error).toBeInstanceOf(RemoteException);
    expect(error.remoteName).toBe("RangeError");
    expect(error.message).toMatch(/RangeError: insufficient funds: 100 < 1000 \(in alice.withdraw on "bank"\)/);
    expect(await sim.runUntilSettled(alice.balance())).toBe(100); // nothing was taken
    const ghost = rmi.lookup<Account>({ node: "bank", objectId: "bob" });
    await expect(sim.runUntilSettled(ghost.balance())).rejects.toMatchObject({ remoteName: "NoSuchObject" });
    const wrong = rmi.lookup<{ close(): void }>({ node: "bank", objectId: "alice" });
    await expect(sim.runUntilSettled(wrong.close())).rejects.toMatchObject({ remoteName: "NoSuchMethod" });
  });

  it("a returned bound object travels as a remote reference and becomes a new proxy", async () => {
    const sim = new Simulation({ seed: 3 });
    const server = bank(sim);
    const rmi = rmiClient(sim.spawn("client"), { timeoutMs: 100 });
    const branch = rmi.lookup<{ account(name: string): RemoteObject<Account>; slow(): string }>({ node: "bank", objectId: "branch" });
    const alice = await sim.runUntilSettled(branch.account("alice"));
    expect(sim.trace.filter({ kinds: ["send"] })[1].json).toContain('"$remote":{"node":"bank","objectId":"alice"}');
    expect(await sim.runUntilSettled(alice.withdraw(1))).toBe(99); // a call on the object, by reference
    expect(server.skeleton().calls).toBe(2);
    expect(await sim.runUntilSettled(branch.slow())).toBe("done"); // an async method is awaited
  });

  it("a crashed server makes the call time out", async () => {
    const sim = new Simulation({ seed: 4 });
    bank(sim);
    const rmi = rmiClient(sim.spawn("client"), { timeoutMs: 50, retries: 1 });
    sim.crash("bank");
    const alice = rmi.lookup<Account>({ node: "bank", objectId: "alice" });
    await expect(sim.runUntilSettled(alice.balance())).rejects.toBeInstanceOf(RpcTimeoutError);
  });
});

describe("granularity: chatty against coarse", () => {
  it("N getters cost N round trips; one coarse call costs one", async () => {
    const { chatty, coarse } = await measureRmiGranularity({ fields: 20, latencyMs: 5 });
    expect(chatty).toMatchObject({ calls: 20, messages: 40, elapsedMs: 200 });
    expect(coarse).toMatchObject({ calls: 1, messages: 2, elapsedMs: 10 });
    expect(chatty.bytes).toBeGreaterThan(5 * coarse.bytes); // per-call envelopes dominate
  });
});
