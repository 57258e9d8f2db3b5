// The layered style: a protocol stack, pure / mixed / upcalls (lib/styles/layers.ts; lecture 001 §1).
import { describe, expect, it } from "vitest";
import { Simulation } from "../../lib/simulation/index";
import { latency } from "../../lib/net/index";
import { LayeringViolation, ProtocolStack, internetLayers, measureLayering, stackNode, type StackNode } from "../../lib/styles/index";

describe("a pure layered stack", () => {
  it("each layer adds its header on the way down and the peer layer removes it on the way up", () => {
    const sender = new ProtocolStack({ layers: internetLayers() });
    const receiver = new ProtocolStack({ layers: internetLayers() });
    const down = sender.down({ get: "/index.html" });
    expect(down.added.map((b) => b.layer)).toEqual(["application", "transport", "network", "link"]);
    expect(down.frame.layer).toBe("link"); // the outermost header is the lowest layer's
    const total = down.added.reduce((sum, b) => sum + b.headerBytes, 0);
    expect(down.payloadBytes + total).toBe(down.frameBytes);
    const up = receiver.up(down.frame);
    expect(up.payload).toEqual({ get: "/index.html" });
    expect(up.removed.map((b) => b.layer)).toEqual(["link", "network", "transport", "application"]);
    expect(up.removed.map((b) => b.headerBytes)).toEqual([...down.added].reverse().map((b) => b.headerBytes));
    expect(sender.calls.map((c) => `${c.from}→${c.to}`)).toEqual(["application→transport", "transport→network", "network→link", "link→wire"]);
  });

  it("skipping a layer is a violation, and so is a frame that skipped one", () => {
    const pure = new ProtocolStack({ layers: internetLayers() });
    expect(() => pure.down("x", { skip: ["transport"] })).toThrow(LayeringViolation);
    const mixed = new ProtocolStack({ layers: internetLayers(), organisation: "mixed" });
    const frame = mixed.down("x", { skip: ["transport"] }).frame;
    expect(() => pure.up(frame)).toThrow(/layer "transport" expected its header, found the header of "application"/);
  });

  it("lower layers may not call up unless the organisation has upcalls", () => {
    const pure = new ProtocolStack({ layers: internetLayers() });
    expect(() => pure.upcall("transport", "data_available")).toThrow(/has no upcalls/);
  });
});

describe("a mixed layered stack", () => {
  it("an application may call a lower layer directly; fewer headers, fewer bytes", () => {
    const mixed = new ProtocolStack({ layers: internetLayers(), organisation: "mixed" });
    const full = mixed.down("hello");
    const skipping = mixed.down("hello", { skip: ["transport"] });
    expect(skipping.added.map((b) => b.layer)).toEqual(["application", "network", "link"]);
    expect(skipping.frameBytes).toBeLessThan(full.frameBytes);
    expect(new ProtocolStack({ layers: internetLayers(), organisation: "mixed" }).up(skipping.frame).payload).toBe("hello");
    expect(() => mixed.down("x", { skip: ["link"] })).toThrow(/cannot be skipped/);
  });
});

describe("a layered stack with upcalls", () => {
  it("a lower layer notifies the next higher layer that subscribed", () => {
    const stack = new ProtocolStack({ layers: internetLayers(), organisation: "upcalls" });
    const heard: string[] = [];
    stack.onUpcall("application", (event, data) => heard.push(`${event}:${JSON.stringify(data)}`));
    expect(stack.upcall("transport", "data_available", { bytes: 120 })).toBe(true);
    expect(stack.upcall("link", "carrier_lost")).toBe(false); // the network layer did not subscribe
    expect(heard).toEqual(['data_available:{"bytes":120}']);
    expect(stack.calls.filter((c) => c.kind === "upcall").map((c) => `${c.from}→${c.to}`)).toEqual(["transport→application", "link→network"]);
    expect(() => stack.upcall("application", "x")).toThrow(/no layer above/);
  });
});

describe("stacks on two nodes", () => {
  it("a message crosses the network as one frame; the receiver gets the payload back", async () => {
    const m = await measureLayering({ payload: { q: "distributed systems" } });
    expect(m.delivered).toBe(true);
    expect(m.added.map((b) => b.layer)).toEqual(["application", "transport", "network", "link"]);
    expect(m.payloadBytes).toBe(27);
    expect(m.frameBytes).toBe(411);
    expect(m.overheadRatio).toBeGreaterThan(10); // a small payload pays mostly for headers
    expect(m.wireBytes).toBeGreaterThan(m.frameBytes); // plus the message envelope fields
  });

  it("a duplicated frame is delivered twice: no layer here deduplicates", async () => {
    const sim = new Simulation({ seed: 3, network: { latency: latency.constant(1), duplicationProbability: 1 } });
    let a!: StackNode;
    let b!: StackNode;
    sim.spawn("a", (node) => { a = stackNode(node, { layers: internetLayers() }); });
    sim.spawn("b", (node) => { b = stackNode(node, { layers: internetLayers() }); });
    a.send("b", "once");
    await sim.runFor(10);
    expect(b.received.map((r) => r.payload)).toEqual(["once", "once"]);
  });
});
