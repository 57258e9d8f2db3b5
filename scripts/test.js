#!/usr/bin/env node
/**
 * `npm test`: install dependencies if node_modules is missing, then run every test under test/
 * (core unit tests and the graders, against exercises/) except the meta tests of the graders
 * (test/meta/, which never load exercises/: they run with test:solutions), print the scoreboard,
 * and write a JSON report to build/test-results/test.json. Naming a test/meta file runs it.
 *
 * The browser tests (Mermaid's own parser in headless Chromium: the test files with
 * `describe.skipIf(browserTestsSkipped())`) need Chromium. As root with apt-get, npm test first
 * installs it and the DejaVu fonts, as `npm start` does (not Jupyter: no test needs it). When it
 * cannot (not root, no apt-get, or DISTLAB_APT=none), everything else runs and a banner at the end
 * reports the browser tests SKIPPED, with the install command. Under CI (CI=true) a missing
 * browser is a failure instead. The decision is made once, by setup.prepareBrowserTests(); it
 * reaches the vitest workers as DISTLAB_BROWSER=missing.
 *
 * `npm run test:solutions` (`node scripts/test.js --solutions`): the graders (test/NN-*.test.ts)
 * with DISTLAB_TARGET=solutions, and the meta tests of the graders and the harness (test/meta/:
 * each grader accepts the reference, rejects every buggy fixture for its reason, …); every test
 * must pass (a pending exercise is a failure here). JSON: build/test-results/test-solutions.json.
 * CI runs both commands.
 *
 * Other arguments go to vitest, e.g. `npm test -- test/00-getting-started.test.ts -t "00.1 ping-pong seed 7$"`.
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const ROOT = path.resolve(__dirname, "..");
/** Where the JSON reports go; DISTLAB_RESULTS_DIR moves them (the setup tests use a temp folder). */
const RESULTS_DIR = process.env.DISTLAB_RESULTS_DIR
  ? path.resolve(process.env.DISTLAB_RESULTS_DIR)
  : path.join(ROOT, "build", "test-results");
const SCOREBOARD = "./test/grading/scoreboard-reporter.ts";
/** vitest's JSON reporter minus its "JSON report written" line, so the scoreboard ends the output. */
const JSON_REPORTER = "./test/grading/json-reporter.ts";
/** The meta tests of the graders and the harness (test/meta/). */
const META_TESTS = "test/meta";

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
 * The test files that need Chromium, relative to the root: those with a
 * `describe.skipIf(browserTestsSkipped())` (or `it.skipIf(…)`), which is how a test says so.
 */
function browserTestFiles() {
  const out = [];
  const walk = (dir) => {
    for (const entry of fs.readdirSync(path.join(ROOT, dir), { withFileTypes: true }).sort((a, b) => (a.name < b.name ? -1 : 1))) {
      const rel = `${dir}/${entry.name}`;
      if (entry.isDirectory() && entry.name !== "fixtures") walk(rel);
      else if (entry.isFile() && entry.name.endsWith(".test.ts") && fs.readFileSync(path.join(ROOT, rel), "utf8").includes(".skipIf(browserTestsSkipped())")) out.push(rel);
    }
  };
  walk("test");
  return out;
}

/**
 * How the browser tests went, from a vitest JSON report: `{ files, skipped, failed, passed }` counted
 * over the browser test files that took part (`files`), or undefined without a report.
 */
function browserTestCounts(jsonFile) {
  let report;
  try {
    report = JSON.parse(fs.readFileSync(jsonFile, "utf8"));
  } catch {
    return undefined;
  }
  const browserFiles = new Set(browserTestFiles());
  const counts = { files: [], skipped: 0, failed: 0, passed: 0 };
  for (const file of report.testResults || []) {
    const rel = path.relative(ROOT, file.name).split(path.sep).join("/");
    if (!browserFiles.has(rel)) continue;
    counts.files.push(rel);
    if (file.status === "failed") counts.failed++;
    for (const test of file.assertionResults || []) {
      if (test.status === "failed") counts.failed++;
      else if (test.status === "passed") counts.passed++;
      else counts.skipped++;
    }
  }
  return counts;
}

/**
 * The banner that ends a run without Chromium (empty when there is nothing to say): SKIPPED, with
 * the count and the install command, or under CI, FAILED.
 * @param {{ mode: string, problem?: string, installCommand: string }} browser  from setup.prepareBrowserTests()
 * @param {{ files: string[], skipped: number, failed: number } | undefined} counts  from browserTestCounts()
 */
function browserBanner(browser, counts, color = useColor()) {
  if (browser.mode === "run") return "";
  if (counts && counts.files.length === 0) return ""; // no browser test took part (a filtered run)
  const files = counts ? counts.files.join(", ") : browserTestFiles().join(", ");
  const lines =
    browser.mode === "skip"
      ? [
          `SKIPPED: ${counts ? counts.skipped : "the"} browser tests (${files})`,
          "They check the diagrams with the real Mermaid in headless Chromium, and there is no Chromium here",
          `(${browser.problem}). Everything else ran, and the result above stands for the rest.`,
          "Install Chromium, then run npm test again:",
          "",
          `    ${browser.installCommand}`,
          "",
          "(npm test installs it itself when run as root; elsewhere set DISTLAB_CHROMIUM to a Chromium binary.)",
        ]
      : [
          `FAILED: the browser tests need Chromium, and CI is set (CI=${process.env.CI}), so a missing browser`,
          `is a failure, not a skip (${files}).`,
          `There is no Chromium here: ${browser.problem}. Install it with:`,
          "",
          `    ${browser.installCommand}`,
        ];
  const rule = "━".repeat(100);
  const paint = (text) => (color ? `${browser.mode === "skip" ? "\x1b[1;33m" : "\x1b[1;31m"}${text}\x1b[0m` : text);
  return ["", paint(rule), ...lines.map((line) => paint(line ? ` ${line}` : "")), paint(rule), ""].join("\n");
}

function useColor() {
  if (process.env.NO_COLOR) return false;
  if (process.env.FORCE_COLOR) return process.env.FORCE_COLOR !== "0";
  return !!process.stdout.isTTY;
}

/**
 * Run vitest once and return its exit code.
 * @param {{ files?: string[], reporters: string[], json?: string, target?: "exercises" | "solutions", args?: string[], env?: Record<string, string> }} options
 */
function runVitest(options) {
  const args = [path.join(ROOT, "node_modules", "vitest", "vitest.mjs"), "run"];
  const reporters = options.reporters.slice();
  if (options.json) reporters.push(JSON_REPORTER);
  for (const reporter of reporters) args.push(`--reporter=${reporter}`);
  if (options.json) args.push(`--outputFile.json=${options.json}`);
  args.push(...(options.files || []), ...(options.args || []));
  const env = { ...process.env, ...(options.env || {}) };
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
    const setup = require("./setup");
    const browser = setup.prepareBrowserTests();
    if (browser.mode === "skip") setup.log(`no Chromium (${browser.problem}): the browser tests will be skipped (see the end of the run)`);
    const json = path.join(RESULTS_DIR, "test.json");
    // The meta tests grow with every exercise and test the course, not the student's code.
    const meta = args.some((a) => a.includes(META_TESTS)) ? [] : ["--exclude", `${META_TESTS}/**`];
    const code = runVitest({ reporters: ["default", SCOREBOARD], json, target: process.env.DISTLAB_TARGET || "exercises", args: [...meta, ...args], env: browser.env });
    const banner = browserBanner(browser, browserTestCounts(json));
    if (banner) console.log(banner);
    return code;
  }
  const json = path.join(RESULTS_DIR, "test-solutions.json");
  const files = [...graderFiles(), META_TESTS];
  const code = runVitest({ files, reporters: ["default", SCOREBOARD], json, target: "solutions", args });
  const counts = readCounts(json);
  // A filtered run (-t …) skips tests on purpose; a full run must leave none pending.
  if (code === 0 && args.length === 0 && counts && counts.pending > 0) {
    console.error(`test:solutions: ${counts.pending} test(s) were skipped or pending; against solutions/ every grader must pass.`);
    return 1;
  }
  return code;
}

module.exports = { ensureDeps, graderFiles, browserTestFiles, browserTestCounts, browserBanner, runVitest, readCounts, SCOREBOARD, RESULTS_DIR, ROOT };

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error) => {
      console.error(error);
      process.exit(1);
    },
  );
}
