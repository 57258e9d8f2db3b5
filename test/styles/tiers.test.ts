// Three tiers and hexagonal ports & adapters (lib/styles/three-tier.ts, hexagonal.ts; lecture 000, 001).
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation/index";
import { latency } from "../../lib/net/index";
import { RpcTimeoutError } from "../../lib/node/index";
import {
  AccountsCore,
  InsufficientFunds,
  accountsAdapterNode,
  accountsClient,
  inMemoryLedger,
  ledgerNode,
  measureThreeTier,
  remoteLedger,
  type AccountsPort,
} from "../../lib/styles/index";

describe("three tiers on three nodes", () => {
  it("a search passes presentation → logic → data and back; latency splits by tier", async () => {
    const r = await measureThreeTier({ query: "tier server", linkLatencyMs: 5, processingMs: { presentation: 1, logic: 2, data: 4 } });
    expect(r.html).toBe("<ul><li>Three tiers (2)</li><li>Layered architectures (1)</li><li>REST (1)</li></ul>");
    expect(r.tiersMs).toEqual({ presentation: 1, logic: 2, data: 4 });
    expect(r.networkMs).toBe(30); // six one-way hops
    expect(r.totalMs).toBe(37);
  });

  it("a slower data tier shows up in its own share only", async () => {
    const r = await measureThreeTier({ processingMs: { data: 40 } });
    expect(r.tiersMs.data).toBe(40);
    expect(r.totalMs).toBe(73);
  });
});

/** The same scenario, written against the port only. */
async function scenario(accounts: AccountsPort): Promise<unknown[]> {
  const seen: unknown[] = [];
  seen.push(await accounts.deposit("alice", 50));
  seen.push(await accounts.withdraw("alice", 20));
  try {
    await accounts.withdraw("alice", 100);
  } catch (error) {
    seen.push((error as Error).name);
  }
  seen.push(await accounts.balance("alice"));
  return seen;
}

describe("hexagonal: one core, adapters swapped", () => {
  it("driven by a test through an in-memory ledger", async () => {
    const ledger = inMemoryLedger();
    expect(await scenario(new AccountsCore(ledger))).toEqual([50, 30, "InsufficientFunds", 30]);
    expect(ledger.entries()).toEqual([["alice", 30]]);
    await expect(new AccountsCore(ledger).withdraw("bob", 1)).rejects.toBeInstanceOf(InsufficientFunds);
    await expect(new AccountsCore(ledger).deposit("bob", -5)).rejects.toThrow(/amount must be a finite number > 0/);
  });

  it("driven over the network: client → adapter node → core → remote ledger node, same results", async () => {
    const sim = new Simulation({ seed: 1, network: { latency: latency.uniform(2, 6) } });
    sim.spawn("ledger", (node) => { ledgerNode(node); });
    sim.spawn("bank", (node) => { accountsAdapterNode(node, new AccountsCore(remoteLedger(node, "ledger"))); });
    const teller = sim.spawn("teller");
    expect(await sim.runUntilSettled(scenario(accountsClient(teller, "bank")))).toEqual([50, 30, "InsufficientFunds", 30]);
    const types = new Set(sim.trace.filter({ kinds: ["send"] }).map((e) => e.type));
    expect([...types].sort()).toEqual(["acct_balance", "acct_deposit", "acct_error", "acct_ok", "acct_withdraw", "ledger_load", "ledger_loaded", "ledger_save", "ledger_saved"]);
  });

  it("concurrent deposits through the remote ledger are not lost (the core runs one at a time)", async () => {
    const sim = new Simulation({ seed: 2, network: { latency: latency.uniform(1, 9) } });
    sim.spawn("ledger", (node) => { ledgerNode(node); });
    sim.spawn("bank", (node) => { accountsAdapterNode(node, new AccountsCore(remoteLedger(node, "ledger"))); });
    const tellers = ["t1", "t2", "t3"].map((id) => accountsClient(sim.spawn(id), "bank"));
    await sim.runUntilSettled(Promise.all(tellers.map((t) => t.deposit("alice", 10))));
    expect(await sim.runUntilSettled(tellers[0].balance("alice"))).toBe(30);
  });

  it("the ledger node keeps balances across its crash; while it is down the core's error reaches the client", async () => {
    const sim = new Simulation({ seed: 3 });
    sim.spawn("ledger", (node) => { ledgerNode(node); });
    sim.spawn("bank", (node) => { accountsAdapterNode(node, new AccountsCore(remoteLedger(node, "ledger", { timeoutMs: 20, retries: 1 }))); });
    const accounts = accountsClient(sim.spawn("teller"), "bank");
    await sim.runUntilSettled(accounts.deposit("alice", 5));
    sim.crash("ledger");
    await expect(sim.runUntilSettled(accounts.balance("alice"))).rejects.toMatchObject({ name: "RpcTimeoutError" });
    sim.restart("ledger");
    expect(await sim.runUntilSettled(accounts.balance("alice"))).toBe(5);
    expect(RpcTimeoutError.name).toBe("RpcTimeoutError");
  });
});
