// What test/core/determinism-scan.test.ts does not check for lib/trace: colour never depends on the
// terminal or the environment (chalk gets an explicit level), and nothing that tslab's CommonJS
// runtime cannot run (import.meta) — tsconfig.tslab.json catches the rest.
import * as fs from "node:fs";
import * as path from "node:path";
import { describe, expect, it } from "vitest";
import { formatTimeline } from "../../lib/trace";
import { fixtureTrace } from "./fixtures";

const DIR = path.resolve(__dirname, "../../lib/trace");

describe("lib/trace output depends on its input only", () => {
  it("colours only through an explicit chalk level", () => {
    for (const file of fs.readdirSync(DIR).filter((f) => f.endsWith(".ts"))) {
      const source = fs.readFileSync(path.join(DIR, file), "utf8");
      if (!source.includes('from "chalk"')) continue;
      expect(source, file).toMatch(/import \{ Chalk, type ChalkInstance \} from "chalk";/);
      expect(source, file).toMatch(/new Chalk\(\{ level: options\.color \? 1 : 0 \}\)/);
    }
    expect(formatTimeline(fixtureTrace(), { color: false })).not.toMatch(/\u001b\[/);
    expect(formatTimeline(fixtureTrace(), { color: true })).toMatch(/\u001b\[/);
  });

  it("uses no import.meta (tslab runs notebooks as CommonJS)", () => {
    for (const file of fs.readdirSync(DIR).filter((f) => f.endsWith(".ts"))) {
      expect(fs.readFileSync(path.join(DIR, file), "utf8"), file).not.toMatch(/import\s*\.\s*meta/);
    }
  });
});
