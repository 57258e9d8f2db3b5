// Transcript tests (etcd raft's datadriven shape): every test/machine/transcripts/<machine>/*.txt
// file is replayed on the pure machine named by its folder, with no simulator, and each command's
// output must equal the expected output written under it. Format: transcripts/README.md.
//
// After a deliberate change, rewrite the expected outputs and review the diff before committing:
//   REWRITE_TRANSCRIPTS=1 npx vitest run test/machine/transcripts.test.ts
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { AtomicCommitMonitor, explainTranscriptFailures, runTranscript, twoPhaseCommit, type Machine, type TwoPhaseState } from "../../lib/machine/index";

const DIR = path.join(__dirname, "transcripts");
const REWRITE = process.env.REWRITE_TRANSCRIPTS === "1";

/** Each folder of transcripts: the machine it runs on, and a fresh invariant per file, checked after every command. */
const MACHINES: Record<string, { machine: Machine<any, any, any, any>; invariant: () => (states: Record<string, any>) => string[] }> = {
  "two-phase-commit": {
    machine: twoPhaseCommit,
    invariant: () => {
      const monitor = new AtomicCommitMonitor(); // AC1 and AC2, remembering decisions across crashes
      return (states: Record<string, TwoPhaseState>) => monitor.observe(states);
    },
  },
};

describe("transcripts", () => {
  const folders = readdirSync(DIR, { withFileTypes: true }).filter((e) => e.isDirectory()).map((e) => e.name).sort();

  it("every folder names a machine and holds transcripts", () => {
    expect(folders).toEqual(Object.keys(MACHINES).sort());
    for (const folder of folders) expect(readdirSync(path.join(DIR, folder)).filter((f) => f.endsWith(".txt")).length).toBeGreaterThan(0);
  });

  for (const folder of folders) {
    const entry = MACHINES[folder];
    if (!entry) continue;
    const files = readdirSync(path.join(DIR, folder)).filter((f) => f.endsWith(".txt")).sort();
    for (const file of files) {
      const rel = `test/machine/transcripts/${folder}/${file}`;
      it(`${folder}/${file}`, () => {
        const full = path.join(DIR, folder, file);
        const text = readFileSync(full, "utf8");
        const result = runTranscript(entry.machine, text, { invariant: entry.invariant() });
        if (REWRITE) {
          if (result.rewritten !== text) writeFileSync(full, result.rewritten);
        } else if (result.failures.length > 0) {
          throw new Error(`${explainTranscriptFailures(result, rel)}\n\nIf the new output is right: REWRITE_TRANSCRIPTS=1 npx vitest run test/machine/transcripts.test.ts, then review the diff.`);
        }
      });
    }
  }
});
