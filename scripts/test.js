#!/usr/bin/env node
/**
 * `npm test`: install dependencies if node_modules is missing, then run every test under test/
 * (core unit tests and the graders, against exercises/), print the scoreboard, and write a JSON
 * report to build/test-results/test.json.
 *
 * `npm run test:solutions` (`node scripts/test.js --solutions`): only the graders
 * (test/NN-*.test.ts) and the buggy-fixture meta tests, with DISTLAB_TARGET=solutions; every test
 * must pass (a pending exercise is a failure here). JSON: build/test-results/test-solutions.json.
 *
 * Other arguments go to vitest, e.g. `npm test -- test/00-getting-started.test.ts -t "00.1 ping-pong seed 7$"`.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const ROOT = path.resolve(__dirname, "..");
const RESULTS_DIR = path.join(ROOT, "build", "test-results");
const SCOREBOARD = "./test/grading/scoreboard-reporter.ts";
/** vitest's JSON reporter minus its "JSON report written" line, so the scoreboard ends the output. */
const JSON_REPORTER = "./test/grading/json-reporter.ts";
const META_TESTS = ["graders-reject-buggy.test.ts"];

/** Install npm dependencies when node_modules is missing (scripts/setup.js, or a minimal fallback). */
async function ensureDeps() {
  let setup;
  try {
    setup = require("./setup");
  } catch (error) {
    if (!(error && error.code === "MODULE_NOT_FOUND" && String(error.message).includes("setup"))) throw error;
  }
  if (setup && typeof setup.ensureNpmDeps === "function") {
    await setup.ensureNpmDeps();
    return;
  }
  if (fs.existsSync(path.join(ROOT, "node_modules", "vitest", "package.json"))) return;
  console.log("node_modules is missing: running npm ci …");
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  const result = spawnSync(npm, ["ci"], { cwd: ROOT, stdio: "inherit", shell: process.platform === "win32" });
  if (result.status !== 0) {
    console.error("npm ci failed: fix the error above, then run npm test again.");
    process.exit(result.status || 1);
  }
}

/** Grader files (test/NN-*.test.ts), relative to the root, in order. */
function graderFiles() {
  return fs
    .readdirSync(path.join(ROOT, "test"))
    .filter((f) => /^\d\d-.*\.test\.ts$/.test(f))
    .sort()
    .map((f) => `test/${f}`);
}

/**
 * Run vitest once and return its exit code.
 * @param {{ files?: string[], reporters: string[], json?: string, target?: "exercises" | "solutions", args?: string[] }} options
 */
function runVitest(options) {
  const args = [path.join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run"];
  const reporters = options.reporters.slice();
  if (options.json) reporters.push(JSON_REPORTER);
  for (const reporter of reporters) args.push(`--reporter=${reporter}`);
  if (options.json) args.push(`--outputFile.json=${options.json}`);
  args.push(...(options.files || []), ...(options.args || []));
  const env = { ...process.env };
  if (options.target) env.DISTLAB_TARGET = options.target;
  if (options.json) {
    fs.mkdirSync(path.dirname(options.json), { recursive: true });
    fs.rmSync(options.json, { force: true }); // never read a stale report
  }
  const result = spawnSync(process.execPath, args, { cwd: ROOT, env, stdio: "inherit" });
  if (result.error) throw result.error;
  return result.status === null ? 1 : result.status;
}

/** Counts from a vitest JSON report, or undefined if it is missing. */
function readCounts(file) {
  try {
    const report = JSON.parse(fs.readFileSync(file, "utf8"));
    return { passed: report.numPassedTests, failed: report.numFailedTests, pending: report.numPendingTests + (report.numTodoTests || 0) };
  } catch {
    return undefined;
  }
}

async function main(argv) {
  const solutions = argv.includes("--solutions");
  const args = argv.filter((a) => a !== "--solutions");
  await ensureDeps();
  if (!solutions) {
    const json = path.join(RESULTS_DIR, "test.json");
    return runVitest({ reporters: ["default", SCOREBOARD], json, target: process.env.DISTLAB_TARGET || "exercises", args });
  }
  const json = path.join(RESULTS_DIR, "test-solutions.json");
  const files = [...graderFiles(), ...META_TESTS.map((f) => `test/${f}`)];
  const code = runVitest({ files, reporters: ["default", SCOREBOARD], json, target: "solutions", args });
  const counts = readCounts(json);
  // A filtered run (-t …) skips tests on purpose; a full run must leave none pending.
  if (code === 0 && args.length === 0 && counts && counts.pending > 0) {
    console.error(`test:solutions: ${counts.pending} test(s) were skipped or pending; against solutions/ every grader must pass.`);
    return 1;
  }
  return code;
}

module.exports = { ensureDeps, graderFiles, runVitest, readCounts, SCOREBOARD, ROOT };

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
