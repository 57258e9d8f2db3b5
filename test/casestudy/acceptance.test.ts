// The chat service's acceptance suite (lib/casestudy/acceptance.ts): the fixed design passes R1–R7
// on ten seeds; the two earlier designs of the notebook's story fail R2 with the expected sentence;
// misbehaviour of a post handler is a problem naming the node and the time, never an exception.
import { describe, expect, it } from "vitest";
import { acceptanceTable, findFailingSeed, REQUIREMENTS, runScenario, type PostHandler, type RequirementId } from "../../lib/casestudy/index";

const SEEDS = Array.from({ length: 10 }, (_, i) => i + 1);
const IDS: RequirementId[] = ["R1", "R2", "R3", "R4", "R5", "R6", "R7"];

describe("acceptance: the fixed design passes every requirement on ten seeds", () => {
  for (const id of IDS) {
    it(`${id} on seeds 1–10`, async () => {
      for (const seed of SEEDS) {
        const r = await runScenario(id, { seed });
        expect({ id, seed, problems: r.problems, faults: r.problems.length > 0 ? r.faults : [] }).toEqual({ id, seed, problems: [], faults: [] });
        expect(r.passed).toBe(true);
        if (id === "R6") expect(r.scale!.ratio).toBeGreaterThanOrEqual(1.6); // 6 front-ends carry about twice the posts of 3
      }
    });
  }

  it("R7's attackers are refused with 14 and leave nothing in the log", async () => {
    const r = await runScenario("R7", { seed: 2 });
    const attacks = r.cluster.recorder.history().operations.filter((op) => op.process.startsWith("x"));
    expect(attacks).toHaveLength(9);
    expect(attacks.every((op) => op.completion === "fail" && op.error?.code === 14)).toBe(true);
    expect([...r.cluster.loggedIds()].filter((id) => id.startsWith("x"))).toEqual([]);
  });
});

describe("acceptance: the notebook's story — the earlier designs fail on some seed", () => {
  it('"first" (no dedup) fails R2 with a duplicate in a room', async () => {
    const found = await findFailingSeed("R2", "first", SEEDS);
    expect(found?.problem).toMatch(/^seed \d+, t=[\d.]+ms, store h1,h2,h3: room r\d: message c\d:\d+ appears twice \(seq \d+ and seq \d+\)/);
  });

  it('"dedup-only" fails R2 on a minority of seeds: a retry is acked with a duplicate\'s seq', async () => {
    const found = await findFailingSeed("R2", "dedup-only", SEEDS);
    expect(found?.seed).toBe(3);
    expect(found?.problem).toMatch(/^seed 3, t=[\d.]+ms, store h1,h2,h3: room r\d: message c\d:\d+ was acked with seq \d+ but is stored at seq \d+ \(client c\d was acked at t=[\d.]+ms\)$/);
    // the same seed passes with the fix
    expect((await runScenario("R2", { seed: 3, design: "fixed" })).passed).toBe(true);
  });

  it('"dedup-only" fails R3 (lost replies) too', async () => {
    const r = await runScenario("R3", { seed: 1, design: "dedup-only" });
    expect(r.passed).toBe(false);
    expect(r.problems.some((p) => /was acked with seq \d+ but is stored at seq \d+/.test(p))).toBe(true);
  });
});

describe("acceptance: misbehaviour is reported, never thrown", () => {
  it("a post handler that throws becomes a problem naming the front-end and the time", async () => {
    const boom: PostHandler = async () => {
      throw new Error("boom");
    };
    const r = await runScenario("R1", { seed: 1, handlePost: boom });
    expect(r.passed).toBe(false);
    expect(r.problems.some((p) => /^seed 1: post handler threw on f\d at t=[\d.]+ms: boom$/.test(p))).toBe(true);
    expect(r.problems.some((p) => /liveness: "every client finished/.test(p))).toBe(true);
  });

  it("a handler that answers without a reply body is a problem too", async () => {
    const r = await runScenario("R7", { seed: 1, handlePost: async () => undefined as unknown as Record<string, unknown> });
    expect(r.problems.some((p) => /post handler on f\d at t=[\d.]+ms returned undefined, not a reply body/.test(p))).toBe(true);
  });

  it("bad options throw", async () => {
    await expect(runScenario("R9" as RequirementId, { seed: 1 })).rejects.toThrow(/unknown requirement "R9"/);
    await expect(runScenario("R1", { seed: 1.5 })).rejects.toThrow(/seed must be a whole number/);
    await expect(runScenario("R1", { seed: 1, design: "best" as "fixed" })).rejects.toThrow(/design must be/);
  });
});

describe("requirements and the table", () => {
  it("REQUIREMENTS lists R1–R7, each with a nemesis and criteria", () => {
    expect(REQUIREMENTS.map((r) => r.id)).toEqual(IDS);
    for (const r of REQUIREMENTS) {
      expect(r.criteria.length).toBeGreaterThan(0);
      expect(r.nemesis).not.toBe("");
    }
  });

  it("acceptanceTable gives one row per requirement and seed, without the simulations", async () => {
    const rows = await acceptanceTable({ seeds: [1, 2], requirements: ["R1", "R7"] });
    expect(rows.map((r) => [r.requirement, r.seed, r.passed])).toEqual([["R1", 1, true], ["R1", 2, true], ["R7", 1, true], ["R7", 2, true]]);
    expect("sim" in rows[0]).toBe(false);
    expect(rows[0].budgets?.messagesPerOp).toBeGreaterThan(10);
  });

  it("is deterministic: the same seed gives the same budgets and faults", async () => {
    const a = await runScenario("R2", { seed: 5 });
    const b = await runScenario("R2", { seed: 5 });
    expect(b.budgets).toEqual(a.budgets);
    expect(b.faults).toEqual(a.faults);
  });
});
