// Input validation at a service boundary: every problem named, and a malformed message gets an
// error reply instead of crashing the node (a throwing handler stops a simulation run).
import { describe, expect, it } from "vitest";
import { guardedHandler, validateBody, type BodySchema } from "../../lib/security/index";
import { Simulation } from "../../lib/simulation/simulation";
import { latency } from "../../lib/net/latency";

const transferSchema: BodySchema = {
  to: { type: "string", minLength: 1, maxLength: 16, pattern: /^[a-z]+$/ },
  amount: { type: "number", integer: true, min: 1, max: 1000 },
  memo: { type: "string", optional: true, maxLength: 40 },
  tags: { type: "array", optional: true, items: { type: "string", oneOf: ["rent", "food"] }, maxItems: 2 },
  meta: { type: "object", optional: true, fields: { urgent: { type: "boolean" } } },
};

describe("validateBody", () => {
  it("a valid body has no errors; envelope fields are allowed", () => {
    expect(validateBody({ type: "transfer", msg_id: 3, to: "bob", amount: 10, tags: ["rent"], meta: { urgent: false } }, transferSchema)).toEqual([]);
  });
  it("names every problem by its path", () => {
    const errors = validateBody({ type: "transfer", to: "Bob!", amount: "10", tags: ["rent", "cars", "food"], meta: { urgent: "yes", x: 1 }, admin: true }, transferSchema);
    expect(errors).toEqual([
      "to: does not match /^[a-z]+$/",
      'amount: expected a number, got string "10"',
      "tags: more than 2 items (3)",
      'tags[1]: "cars" is not one of ["rent","food"]',
      'meta.urgent: expected a boolean, got string "yes"',
      "meta.x: unexpected field",
      "admin: unexpected field",
    ]);
    expect(validateBody({ amount: 0.5 }, transferSchema)).toEqual(["to: required string is missing", "amount: expected an integer, got 0.5", "amount: 0.5 is below the minimum 1"]);
    expect(validateBody("hello", transferSchema)).toEqual(['body: expected an object, got string "hello"']);
  });
  it("a malformed schema is a programming error with a clear message", () => {
    expect(() => validateBody({}, { to: { type: "text" } } as never)).toThrow(/schema.to has no valid type/);
    expect(() => validateBody({}, { xs: { type: "array" } } as never)).toThrow(/schema.xs is an array schema without `items`/);
  });
});

describe("guardedHandler in a simulation", () => {
  it("scenario: valid, malformed and handler-crashing messages — errors replied, the node keeps serving", async () => {
    const sim = new Simulation({ seed: 4, trace: false, network: { latency: latency.uniform(5, 15) } });
    let total = 0;
    const rejected: number[] = [];
    sim.spawn("server", (node) => {
      node.on("transfer", guardedHandler(node, transferSchema, (msg) => {
        if (msg.body.to === "boom") throw new Error("ledger unavailable");
        total += msg.body.amount;
        node.reply(msg, { type: "transfer_ok", total });
      }, { onReject: (_m, r) => rejected.push(r.code) }));
    });
    const replies: any[] = [];
    sim.spawn("client", (node) => {
      sim.at(0, async () => {
        for (const body of [
          { type: "transfer", to: "bob", amount: 10 },
          { type: "transfer", to: 42, amount: "all" },
          { type: "transfer", to: "boom", amount: 1 },
          { type: "transfer", to: "carol", amount: 5 },
        ]) replies.push((await node.rpc("server", body, { timeoutMs: 200 })).body);
      });
    });
    await sim.runFor(2000);
    expect(replies.map((r) => r.type)).toEqual(["transfer_ok", "error", "error", "transfer_ok"]);
    expect(replies[1]).toMatchObject({ code: 400 });
    expect(replies[1].text).toMatch(/to: expected a string, got number 42; amount: expected a number/);
    expect(replies[2]).toMatchObject({ code: 500, text: "handler failed: ledger unavailable" });
    expect(total).toBe(15);
    expect(rejected).toEqual([400, 500]);
  });
});
