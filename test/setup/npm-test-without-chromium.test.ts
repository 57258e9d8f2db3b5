// `npm test` on a machine without Chromium (issue 6, part 1). scripts/test.js is run on the two
// browser test files only, with DISTLAB_CHROMIUM pointing at a file that does not exist (so the
// machine looks as if it had no Chromium) and DISTLAB_APT=none (so setup behaves as for a user who
// cannot run apt-get: not root, or no apt-get). Without CI the browser tests are reported skipped,
// loudly, with the install command, and the run passes; with CI=true the same run fails.
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BROWSER_FILES = ["test/trace/mermaid-valid.test.ts", "test/trace/mmdc-cli.test.ts"];
const NO_CHROMIUM = "/nonexistent/distlab-test/chromium";
const TIMEOUT_MS = 120_000;
/** The install command, as root or (with sudo) not. */
const INSTALL_COMMAND = /(sudo )?apt-get update && (sudo )?apt-get install -y --no-install-recommends chromium\b/;
const resultsDirs: string[] = [];

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTotalTests: number;
  testResults: Array<{ name: string; assertionResults: Array<{ status: string; title: string }> }>;
}

interface Run {
  status: number | null;
  output: string;
  report: VitestJson | undefined;
}

/** `node scripts/test.js <browser files>` with `env` over a copy of this process's environment. */
function npmTestOnBrowserFiles(env: Record<string, string>): Run {
  const resultsDir = fs.mkdtempSync(path.join(os.tmpdir(), "distlab-setup-test-"));
  resultsDirs.push(resultsDir);
  const childEnv: Record<string, string> = {};
  for (const [key, value] of Object.entries(process.env)) {
    // The outer vitest's worker variables would confuse the inner run.
    if (value !== undefined && !key.startsWith("VITEST") && key !== "TEST" && key !== "NODE_ENV") childEnv[key] = value;
  }
  delete childEnv.PUPPETEER_EXECUTABLE_PATH;
  delete childEnv.DISTLAB_BROWSER;
  Object.assign(childEnv, { FORCE_COLOR: "0", NO_COLOR: "1", DISTLAB_RESULTS_DIR: resultsDir }, env);
  const result = spawnSync(process.execPath, [path.join(root, "scripts/test.js"), ...BROWSER_FILES], {
    cwd: root,
    env: childEnv,
    encoding: "utf8",
    timeout: TIMEOUT_MS - 10_000,
  });
  // eslint-disable-next-line no-control-regex
  const output = `${result.stdout}\n${result.stderr}`.replace(/\u001b\[[0-9;]*m/g, "");
  let report: VitestJson | undefined;
  try {
    report = JSON.parse(fs.readFileSync(path.join(resultsDir, "test.json"), "utf8")) as VitestJson;
  } catch {
    report = undefined;
  }
  return { status: result.status, output, report };
}

afterAll(() => {
  for (const dir of resultsDirs) fs.rmSync(dir, { recursive: true, force: true });
});

describe("npm test on a machine without Chromium (DISTLAB_CHROMIUM points nowhere)", () => {
  it("without root or apt-get (DISTLAB_APT=none): the browser tests are skipped, loudly, with the install command, and the run passes", () => {
    const run = npmTestOnBrowserFiles({ DISTLAB_CHROMIUM: NO_CHROMIUM, DISTLAB_APT: "none", CI: "" });
    expect(run.status, run.output).toBe(0);
    // vitest counts them as skipped: nothing passed, nothing failed
    expect(run.report, run.output).toBeDefined();
    const report = run.report!;
    expect(report.numFailedTests).toBe(0);
    expect(report.numPassedTests).toBe(0);
    expect(report.numPendingTests).toBeGreaterThanOrEqual(2);
    const files = report.testResults.map((r) => path.relative(root, r.name)).sort();
    expect(files).toEqual(BROWSER_FILES);
    for (const file of report.testResults) {
      for (const test of file.assertionResults) expect([test.title, test.status]).toEqual([test.title, "skipped"]);
    }
    // the banner: at the end, with the count and the exact command
    const banner = /SKIPPED: (\d+) browser tests/.exec(run.output);
    expect(banner, run.output).not.toBeNull();
    expect(Number(banner![1])).toBe(report.numPendingTests);
    expect(run.output.lastIndexOf("SKIPPED")).toBeGreaterThan(run.output.lastIndexOf("Tests "));
    expect(run.output).toMatch(INSTALL_COMMAND);
    expect(run.output).toContain(`DISTLAB_CHROMIUM=${NO_CHROMIUM}`);
    // it did not try to install anything
    expect(run.output).not.toMatch(/\[setup\] \$ apt-get/);
  }, TIMEOUT_MS);

  it("under CI=true a missing browser is a failure with a clear message, not a skip", () => {
    const run = npmTestOnBrowserFiles({ DISTLAB_CHROMIUM: NO_CHROMIUM, DISTLAB_APT: "none", CI: "true" });
    expect(run.status, run.output).not.toBe(0);
    expect(run.output).toContain(`DISTLAB_CHROMIUM is "${NO_CHROMIUM}", which does not exist`);
    expect(run.output).toMatch(/FAILED: the browser tests need Chromium, and CI is set/);
    expect(run.output).toMatch(INSTALL_COMMAND);
    expect(run.output).not.toMatch(/SKIPPED: \d+ browser tests/);
  }, TIMEOUT_MS);
});
