// The lost update of two read-modify-write clients, and the two fixes: a lock (the central mutex)
// and compare-and-set.
import { describe, expect, it } from "vitest";
import { latency } from "../../lib/net/index";
import { compareLostUpdate, lostUpdate } from "../../lib/time/index";

describe("lost update", () => {
  it("two clients read 0 together and both write 1: one increment is lost", async () => {
    const r = await lostUpdate({ variant: "read-modify-write" });
    expect([r.finalValue, r.expected, r.lostUpdates]).toEqual([1, 2, 1]);
    const writes = r.simulation.trace.events.filter((e) => e.kind === "send" && e.type === "write").map((e) => (e.kind === "send" ? JSON.parse(e.json).value : undefined));
    expect(writes).toEqual([1, 1]); // the same value written twice: the second overwrites the first
  });

  it("a lock or a compare-and-set keeps every increment; the table the notebook prints", async () => {
    const table = (await compareLostUpdate()).map((r) => [r.variant, r.finalValue, r.expected, r.casRetries, r.messages]);
    expect(table).toEqual([
      ["read-modify-write", 1, 2, 0, 8], // 2 clients × (read + reply + write + reply)
      ["lock", 2, 2, 0, 14], // + request, grant, release per increment
      ["compare-and-set", 2, 2, 1, 10], // one failed cas, retried from the value it returned
    ]);
  });

  it("with more clients and increments, read-modify-write loses more; the fixes lose none (random latency, several seeds)", async () => {
    for (let seed = 1; seed <= 5; seed++) {
      const options = { clients: 4, incrementsPerClient: 5, seed, latency: latency.uniform(1, 10) };
      const [plain, lock, cas] = await compareLostUpdate(options);
      expect(plain.lostUpdates, `seed ${seed}`).toBeGreaterThan(0);
      expect(lock.finalValue).toBe(20);
      expect(cas.finalValue).toBe(20);
      expect(cas.casRetries).toBeGreaterThan(0);
    }
  });

  it("one client alone loses nothing, and bad options are clear errors", async () => {
    expect((await lostUpdate({ variant: "read-modify-write", clients: 1, incrementsPerClient: 3 })).finalValue).toBe(3);
    await expect(lostUpdate({ variant: "optimism" as never })).rejects.toThrow(/variant: got "?optimism"?, expected one of read-modify-write, lock, compare-and-set/);
    await expect(lostUpdate({ variant: "lock", clients: 0 })).rejects.toThrow(/clients: got 0, expected a whole number ≥ 1/);
  });
});
