// Nothing under lib/ may read real time, global randomness or the environment: a run must depend on
// its seed alone. This test reads every .ts file under lib/ (comments excluded) and fails on any use
// of the forbidden APIs, except in the files listed below, which must say why in a first-line comment
// containing "determinism allow-list" — and must still need the exemption.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import ts from "typescript";
import { describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

/** What is forbidden in lib/, and why. */
const FORBIDDEN: Array<[RegExp, string]> = [
  [/\bMath\.random\b/, "global randomness: use the run's Prng (node.rng, sim.random)"],
  [/\bDate\.now\b/, "wall-clock time: use virtual time (node.now())"],
  [/\bnew\s+Date\s*\(/, "wall-clock time: use virtual time (node.now())"],
  [/\bperformance\.now\b/, "wall-clock time: use virtual time"],
  [/\bsetTimeout\b/, "real timers: use node.setTimer / sim.at"],
  [/\bsetInterval\b/, "real timers: use node.setPeriodic"],
  [/\bsetImmediate\b/, "real scheduling: the event queue decides what runs next"],
  [/\bprocess\.nextTick\b/, "real scheduling: the event queue decides what runs next"],
  [/\bqueueMicrotask\b/, "real scheduling: the event queue decides what runs next"],
  [/(^|[^.\w])Date\s*\(/, "wall-clock time: use virtual time (node.now())"],
  [/\bcrypto\.(randomUUID|getRandomValues|randomBytes|randomInt)\b/, "global randomness: use the run's Prng"],
  [/\bMath\s*\[/, "Math accessed by name (e.g. Math[\"random\"]): use the run's Prng"],
  [/\bprocess\.env\b/, "the environment changes between machines: pass options instead"],
  [/\bhrtime\b/, "wall-clock time"],
];

/** Files allowed to use the APIs above, and why. Each must start with a "determinism allow-list" comment. */
const ALLOW_LIST: Record<string, string> = {
  "lib/sim/kernel.ts": "process.nextTick is a barrier that lets promise continuations finish at the current virtual time; order comes from the queue alone",
  "lib/render/mermaid-renderer.ts": "rendering only (a browser with real timeouts), never affects a simulation run",
  "lib/render/mermaid-page.ts": "rendering only: the script run inside Chromium seeds Mermaid's Math.random so the same text gives the same SVG; never affects a simulation run",
  "lib/render/paths.ts": "rendering only (finds Chromium and the repo root via environment variables), never affects a simulation run",
  "test/grading/traps.ts": "replaces Math.random, Date, performance.now, process.hrtime, crypto and the real timers with traps while a graded simulation runs, and restores them; never uses them for a run",
  "test/grading/target.ts": "reads DISTLAB_TARGET, which picks whose code is graded (exercises/ or solutions/), never how a run goes",
};

function tsFiles(dir: string): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true })
    .flatMap((entry) => {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory()) return tsFiles(rel);
      return entry.isFile() && entry.name.endsWith(".ts") ? [rel] : [];
    })
    .sort();
}

/**
 * The source with every comment replaced by spaces (newlines kept, so line numbers stay right).
 * Comments are found by the TypeScript parser, so regular expressions and template literals that
 * contain `//` are not mistaken for comments.
 */
function withoutComments(source: string): string {
  const file = ts.createSourceFile("scan.ts", source, ts.ScriptTarget.Latest, true);
  const comments = new Map<number, number>(); // pos → end
  const collect = (ranges: ts.CommentRange[] | undefined): void => {
    for (const r of ranges ?? []) comments.set(r.pos, r.end);
  };
  const visit = (node: ts.Node): void => {
    collect(ts.getLeadingCommentRanges(source, node.getFullStart()));
    collect(ts.getTrailingCommentRanges(source, node.getEnd()));
    for (const child of node.getChildren(file)) visit(child);
  };
  visit(file);
  const chars = source.split("");
  for (const [pos, end] of comments) for (let i = pos; i < end; i++) if (chars[i] !== "\n") chars[i] = " ";
  return chars.join("");
}

/** `file:line: text  (why)` for each forbidden use. */
function offences(file: string): string[] {
  const source = readFileSync(path.join(root, file), "utf8");
  const lines = withoutComments(source).split("\n");
  const original = source.split("\n");
  const found: string[] = [];
  lines.forEach((line, i) => {
    for (const [pattern, why] of FORBIDDEN) {
      if (pattern.test(line)) found.push(`${file}:${i + 1}: ${original[i].trim()}  (${why})`);
    }
  });
  return found;
}

const hasAllowListHeader = (file: string): boolean => {
  const source = readFileSync(path.join(root, file), "utf8");
  const first = /^\s*(\/\/[^\n]*|\/\*[\s\S]*?\*\/)/.exec(source);
  return first !== null && first[1].includes("determinism allow-list");
};

// Scanning every file takes 1–2 s, more on a loaded 2-core machine: a generous timeout, not a flaky one.
describe("determinism scan of lib/, solutions/ and the graders", { timeout: 30_000 }, () => {
  const files = [...tsFiles("lib"), ...tsFiles("solutions"), ...tsFiles("test/grading")];

  it("finds the library's files", () => {
    expect(files).toContain("lib/sim/kernel.ts");
    expect(files).toContain("lib/simulation/simulation.ts");
    expect(files).toContain("solutions/00-getting-started/echo.ts");
    expect(files).toContain("test/grading/grade.ts");
    expect(files.length).toBeGreaterThan(15);
  });

  it("the comment stripper keeps code and line numbers, drops comments", () => {
    const src = [
      "const a = 1; // Math.random here",
      "/* Date.now()",
      " */ const b = `x${setTimeout}y // not a comment`; const r = /\\/\\/ process.env/;",
      "/** performance.now */ function f() { return hrtime; } // trailing",
      "",
    ].join("\n");
    const out = withoutComments(src);
    expect(out.split("\n")).toHaveLength(5);
    expect(out).not.toMatch(/Math\.random|Date\.now|performance\.now|trailing/);
    expect(out).toMatch(/setTimeout/);
    expect(out).toMatch(/not a comment/);
    expect(out).toMatch(/process\.env/);
    expect(out.split("\n")[3]).toMatch(/^\s+function f\(\) \{ return hrtime; \}\s+$/);
  });

  it("no file outside the allow-list uses wall-clock time, global randomness, real timers or the environment", () => {
    const found = files.filter((f) => !(f in ALLOW_LIST)).flatMap(offences);
    expect(found, `forbidden APIs in lib/ (a run must depend on its seed only):\n${found.join("\n")}\n`).toEqual([]);
  });

  it("every allow-listed file exists, starts with a 'determinism allow-list' comment, and still needs the exemption", () => {
    const problems: string[] = [];
    for (const [file, reason] of Object.entries(ALLOW_LIST)) {
      if (!files.includes(file)) {
        problems.push(`${file}: listed (${reason}) but no longer exists — remove it from ALLOW_LIST`);
        continue;
      }
      if (!hasAllowListHeader(file)) problems.push(`${file}: listed but does not start with a comment containing "determinism allow-list"`);
      if (offences(file).length === 0) problems.push(`${file}: listed but uses none of the forbidden APIs any more — remove it from ALLOW_LIST`);
    }
    expect(problems, problems.join("\n")).toEqual([]);
  });
});
