// Integration styles on one flow (order → invoice) and integration topologies, with a crash.
import { describe, expect, it } from "vitest";
import { runIntegrationStyle, compareIntegrationStyles, runTopology, compareTopologies } from "../../lib";

describe("integration styles (order → invoice)", () => {
  it("with everything up every style invoices every order once; file transfer is the stalest, RPC the freshest", async () => {
    const rows = await compareIntegrationStyles({ orders: 100 });
    const by = Object.fromEntries(rows.map((r) => [r.style, r]));
    for (const r of rows) expect([r.style, r.invoiced, r.failedOrders, r.duplicateInvoices]).toEqual([r.style, 100, 0, 0]);
    expect(by["file-transfer"].stalenessMsP50).toBeGreaterThan(200); // waits for an export and an import
    expect(by["rpc"].stalenessMsMax).toBeLessThan(10);
    expect(by["messaging"].stalenessMsMax).toBeLessThan(20);
    // the shared database is busy with the other applications' queries: orders wait for it
    expect(by["shared-database"].orderBlockedMsP99).toBeGreaterThan(4 * by["rpc"].orderBlockedMsP99);
  });

  it("invoicing down for a second: RPC loses the orders placed meanwhile, messaging and files only delay them", async () => {
    const down = { invoicingDown: { fromMs: 500, toMs: 1500 }, orders: 100 };
    const rpc = await runIntegrationStyle({ style: "rpc", ...down });
    const mq = await runIntegrationStyle({ style: "messaging", ...down });
    const files = await runIntegrationStyle({ style: "file-transfer", ...down });
    expect(rpc.failedOrders).toBeGreaterThan(30);
    expect(rpc.invoiced + rpc.failedOrders).toBe(100);
    for (const r of [mq, files]) expect([r.invoiced, r.failedOrders, r.duplicateInvoices]).toEqual([100, 0, 0]);
    expect(mq.stalenessMsMax).toBeGreaterThan(500); // queued until invoicing came back
  });
});

describe("integration topologies", () => {
  it("message counts per event: bus n-1, hub n, two bridged brokers n+1", async () => {
    const rows = await compareTopologies({ apps: 6 });
    const none = (t: string) => rows.find((r) => r.topology === t && r.crashed === "none")!;
    expect(none("bus").messagesPerEvent).toBe(5);
    expect(none("hub-and-spoke").messagesPerEvent).toBe(6);
    expect(none("broker-bridge").messagesPerEvent).toBe(7);
    for (const t of ["bus", "hub-and-spoke", "broker-bridge"]) expect(none(t).deliveredFraction).toBe(1);
  });

  it("the hub is a single point of failure; a bus has none; a bridged broker's crash cuts off only its side", async () => {
    expect((await runTopology({ topology: "hub-and-spoke", crash: "hub" })).deliveredFraction).toBe(0);
    expect((await runTopology({ topology: "hub-and-spoke", crash: "app3" })).deliveredFraction).toBe(1);
    expect((await runTopology({ topology: "bus", crash: "app1" })).deliveredFraction).toBe(1);
    const bridged = await runTopology({ topology: "broker-bridge", crash: "broker-a", apps: 6 });
    // only events among app4..app6 arrive: 3 of 6 publishers reach 2 of 5 others
    expect(bridged.deliveredFraction).toBeCloseTo((3 * 2) / (6 * 5), 5);
    await expect(runTopology({ topology: "bus", crash: "hub" })).rejects.toThrow(/no such node/);
  });
});
