// Toward Figure 16 of the extended Raft paper (§9.3): time from a leader's crash to a new leader,
// five servers, broadcast time about 15 ms, for several election-timeout ranges. The numbers are
// printed (the notebook charts them as CDFs); the assertions are the paper's qualitative claims.
import { describe, expect, it } from "vitest";
import { measureElectionTime, type ElectionTimeResult } from "../../lib/raft/index";

// FIGURE16_TRIALS=1000 npx vitest run test/raft/figure16.test.ts for the paper's trial counts.
const TRIALS = Number(process.env.FIGURE16_TRIALS ?? 30);
const RANGES: Array<[number, number, number]> = [
  // [min, max, trials]; 150–150 never elects (split votes for ever), so few trials
  [150, 150, Math.max(3, Math.round(TRIALS / 10))],
  [150, 151, TRIALS],
  [150, 155, TRIALS],
  [150, 175, TRIALS],
  [150, 200, TRIALS],
  [150, 300, TRIALS],
  [12, 24, TRIALS],
];

describe("Figure 16: time to elect a new leader after a crash", () => {
  it("measures each timeout range, and more randomness means fewer split votes", async () => {
    const results = new Map<string, ElectionTimeResult>();
    const lines: string[] = ["range ms   trials  median  mean    max     censored  split votes"];
    for (const [min, max, trials] of RANGES) {
      const r = await measureElectionTime({ electionMsMin: min, electionMsMax: max, trials, trialMsMax: min === max ? 2000 : 5000 });
      results.set(`${min}-${max}`, r);
      const f = (x: number): string => (x === Infinity ? "never" : x.toFixed(0)).padEnd(8);
      lines.push(`${`${min}–${max}`.padEnd(11)}${String(trials).padEnd(8)}${f(r.medianMs)}${f(r.meanMs)}${f(r.maxMs)}${String(r.censored).padEnd(10)}${r.splitVotes}`);
    }
    console.log(lines.join("\n"));
    const wide = results.get("150-300")!;
    expect(wide.censored).toBe(0);
    // The crash falls anywhere in the heartbeat interval (75 ms), so a follower's timer has run up to 75 ms already.
    expect(wide.medianMs).toBeGreaterThan(75);
    expect(wide.medianMs).toBeLessThan(400);
    expect(results.get("12-24")!.meanMs).toBeLessThan(150);
    const narrow = results.get("150-151")!;
    expect(wide.splitVotes + wide.censored).toBeLessThan(narrow.splitVotes + narrow.censored); // censored: split for ever
  });
});
