// Transcript tests for the Raft machine (etcd raft's datadriven shape; the format is
// test/machine/transcripts/README.md): every test/raft/transcripts/*.txt is replayed on
// `raftMachine` with no simulator, the safety monitor checked after every command, and each
// command's output must equal the one written under it.
//
// After a deliberate change, rewrite the expected outputs and review the diff:
//   REWRITE_TRANSCRIPTS=1 npx vitest run test/raft/transcripts.test.ts
import { readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { describe, expect, it } from "vitest";
import { explainTranscriptFailures, runTranscript } from "../../lib/machine/index";
import { raftMachine } from "../../lib/raft/index";
import { raftInvariant } from "./harness";

const DIR = path.join(__dirname, "transcripts");
const REWRITE = process.env.REWRITE_TRANSCRIPTS === "1";

describe("raft transcripts", () => {
  const files = readdirSync(DIR).filter((f) => f.endsWith(".txt")).sort();
  it("there are transcripts", () => expect(files.length).toBeGreaterThan(0));
  for (const file of files) {
    it(file, () => {
      const full = path.join(DIR, file);
      const text = readFileSync(full, "utf8");
      const result = runTranscript(raftMachine, text, { invariant: raftInvariant() });
      if (REWRITE) {
        if (result.rewritten !== text) writeFileSync(full, result.rewritten);
      } else if (result.failures.length > 0) {
        throw new Error(`${explainTranscriptFailures(result, `test/raft/transcripts/${file}`)}\n\nIf the new output is right: REWRITE_TRANSCRIPTS=1 npx vitest run test/raft/transcripts.test.ts, then review the diff.`);
      }
    });
  }
});
