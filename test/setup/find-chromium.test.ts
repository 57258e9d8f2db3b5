// Chromium is looked up twice: by scripts/setup.js (plain CommonJS, it runs before `npm ci`, so it
// cannot import TypeScript) and by lib/render/paths.ts (the renderer and the notebooks). Both must
// answer alike for every setting of DISTLAB_CHROMIUM / PUPPETEER_EXECUTABLE_PATH. And npm test's
// one decision about the browser tests: run, skip (not under CI) or fail (under CI).
import * as fs from "node:fs";
import { createRequire } from "node:module";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { afterEach, describe, expect, it } from "vitest";
import { CHROMIUM_CANDIDATES, browserTestsSkipped, findChromium } from "../../lib/render";

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const load = createRequire(import.meta.url);

interface SetupModule {
  CHROMIUM_CANDIDATES: string[];
  BROWSER_ENV: string;
  findChromium(): string | null;
  canRunApt(): boolean;
  isCI(env?: Record<string, string | undefined>): boolean;
  browserTestMode(state: { chromium: string | null; ci: boolean }): "run" | "skip" | "fail";
  prepareBrowserTests(options?: { ci?: boolean; install?: boolean }): {
    chromium: string | null;
    mode: "run" | "skip" | "fail";
    env: Record<string, string>;
    installCommand: string;
    problem?: string;
  };
}
const setup = load(path.join(root, "scripts/setup.js")) as SetupModule;
const testScript = load(path.join(root, "scripts/test.js")) as { browserTestFiles(): string[] };

const VARIABLES = ["DISTLAB_CHROMIUM", "PUPPETEER_EXECUTABLE_PATH", "DISTLAB_APT", "DISTLAB_BROWSER"] as const;
const saved = Object.fromEntries(VARIABLES.map((name) => [name, process.env[name]]));

afterEach(() => {
  for (const name of VARIABLES) {
    if (saved[name] === undefined) delete process.env[name];
    else process.env[name] = saved[name];
  }
});

function withEnv(values: Partial<Record<(typeof VARIABLES)[number], string>>): void {
  for (const name of VARIABLES) delete process.env[name];
  Object.assign(process.env, values);
}

/** lib/render's answer in setup.js's terms: the path, or null where it throws. */
function libAnswer(): string | null {
  try {
    return findChromium();
  } catch {
    return null;
  }
}

describe("scripts/setup.js and lib/render/paths.ts find the same Chromium", () => {
  const existing = process.execPath; // any file that exists stands for a Chromium binary here
  const missing = "/nonexistent/distlab-test/chromium";
  const cases: Array<[string, Partial<Record<(typeof VARIABLES)[number], string>>]> = [
    ["no variable: the first candidate that exists (or none)", {}],
    ["DISTLAB_CHROMIUM names a file that exists", { DISTLAB_CHROMIUM: existing }],
    ["DISTLAB_CHROMIUM names a missing file: none, even if /usr/bin/chromium exists", { DISTLAB_CHROMIUM: missing }],
    ["PUPPETEER_EXECUTABLE_PATH alone", { PUPPETEER_EXECUTABLE_PATH: existing }],
    ["PUPPETEER_EXECUTABLE_PATH names a missing file", { PUPPETEER_EXECUTABLE_PATH: missing }],
    ["DISTLAB_CHROMIUM wins over PUPPETEER_EXECUTABLE_PATH", { DISTLAB_CHROMIUM: missing, PUPPETEER_EXECUTABLE_PATH: existing }],
    ["an empty DISTLAB_CHROMIUM counts as unset", { DISTLAB_CHROMIUM: "", PUPPETEER_EXECUTABLE_PATH: existing }],
  ];
  for (const [name, env] of cases) {
    it(name, () => {
      withEnv(env);
      expect(libAnswer()).toBe(setup.findChromium());
    });
  }

  it("the answers themselves", () => {
    withEnv({ DISTLAB_CHROMIUM: existing });
    expect(setup.findChromium()).toBe(existing);
    withEnv({ DISTLAB_CHROMIUM: missing, PUPPETEER_EXECUTABLE_PATH: existing });
    expect(setup.findChromium()).toBeNull();
  });

  it("both look in the same places, in the same order", () => {
    expect([...CHROMIUM_CANDIDATES]).toEqual(setup.CHROMIUM_CANDIDATES);
  });

  it("lib/render says which variable names a missing file, and how to install Chromium", () => {
    withEnv({ DISTLAB_CHROMIUM: missing });
    expect(() => findChromium()).toThrow(
      new RegExp(`^DISTLAB_CHROMIUM is "${missing}", which does not exist: .* To install Chromium: (sudo )?apt-get update && (sudo )?apt-get install -y --no-install-recommends chromium fonts-dejavu-core$`),
    );
  });
});

describe("npm test's decision about the browser tests", () => {
  it("runs them when there is a Chromium, skips them without one, and fails under CI", () => {
    expect(setup.browserTestMode({ chromium: "/usr/bin/chromium", ci: false })).toBe("run");
    expect(setup.browserTestMode({ chromium: "/usr/bin/chromium", ci: true })).toBe("run");
    expect(setup.browserTestMode({ chromium: null, ci: false })).toBe("skip");
    expect(setup.browserTestMode({ chromium: null, ci: true })).toBe("fail");
  });

  it("CI means CI set to anything but empty, 0 or false", () => {
    for (const value of ["true", "1", "yes", "TRUE"]) expect(setup.isCI({ CI: value }), value).toBe(true);
    for (const value of [undefined, "", "0", "false", "False"]) expect(setup.isCI({ CI: value }), String(value)).toBe(false);
  });

  it("DISTLAB_APT=none: never apt-get, whoever runs it", () => {
    withEnv({ DISTLAB_APT: "none" });
    expect(setup.canRunApt()).toBe(false);
  });

  it("skipping reaches the test workers as DISTLAB_BROWSER=missing, which browserTestsSkipped reads", () => {
    withEnv({ DISTLAB_CHROMIUM: "/nonexistent/distlab-test/chromium", DISTLAB_APT: "none" });
    const skip = setup.prepareBrowserTests({ ci: false });
    expect(skip).toMatchObject({ chromium: null, mode: "skip", env: { DISTLAB_BROWSER: "missing" } });
    expect(skip.problem).toBe("DISTLAB_CHROMIUM=/nonexistent/distlab-test/chromium does not exist");
    expect(skip.installCommand).toMatch(/apt-get install -y --no-install-recommends chromium\b/);
    expect(setup.BROWSER_ENV).toBe("DISTLAB_BROWSER");
    expect(setup.prepareBrowserTests({ ci: true })).toMatchObject({ mode: "fail", env: { DISTLAB_BROWSER: "required" } });
    withEnv({ DISTLAB_CHROMIUM: process.execPath, DISTLAB_BROWSER: "missing", DISTLAB_APT: "none" });
    // a DISTLAB_BROWSER=missing left in the shell cannot skip the tests when there is a browser
    expect(setup.prepareBrowserTests({ ci: false })).toMatchObject({ mode: "run", env: { DISTLAB_BROWSER: "found" } });
    withEnv({ DISTLAB_CHROMIUM: "/nonexistent/distlab-test/chromium", DISTLAB_APT: "none" });

    expect(browserTestsSkipped()).toBe(false);
    Object.assign(process.env, skip.env);
    expect(browserTestsSkipped()).toBe(true);
  });

  it("the browser test files are the ones that ask browserTestsSkipped(), and every test that starts a browser asks", () => {
    const found: string[] = testScript.browserTestFiles();
    expect(found).toEqual(expect.arrayContaining(["test/trace/mermaid-valid.test.ts", "test/trace/mmdc-cli.test.ts"]));
    const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
    const testFiles = (dir: string): string[] =>
      fs.readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((e) =>
        e.isDirectory() ? testFiles(`${dir}/${e.name}`) : e.name.endsWith(".test.ts") ? [`${dir}/${e.name}`] : [],
      );
    const startsBrowser = testFiles("test").filter((f) => /MermaidRenderer|mmdc|renderMermaid/.test(fs.readFileSync(path.join(root, f), "utf8")));
    for (const f of startsBrowser.filter((f) => !f.startsWith("test/setup/"))) expect(found, `${f} starts a browser`).toContain(f);
    for (const f of found) expect(fs.readFileSync(path.join(root, f), "utf8"), f).toContain("browserTestsSkipped()");
  });
});
