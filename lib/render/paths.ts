// determinism allow-list: rendering only, never affects a simulation run
/**
 * Where things are on disk: the repository root, files relative to it, the Chromium binary and
 * Mermaid's browser bundle. Works from a notebook (cwd = notebooks/), from scripts run with tsx
 * at the root, and from tests.
 */

import * as fs from "node:fs";
import * as path from "node:path";
import { createRequire } from "node:module";

/** The `name` in the course's package.json, used to recognise the repository root. */
const PACKAGE_NAME = "distlab";

function isRepoRoot(dir: string): boolean {
  const file = path.join(dir, "package.json");
  if (!fs.existsSync(file)) return false;
  try {
    const pkg = JSON.parse(fs.readFileSync(file, "utf8")) as { name?: unknown };
    return pkg.name === PACKAGE_NAME;
  } catch {
    return false;
  }
}

function walkUp(start: string): string | undefined {
  let dir = path.resolve(start);
  for (;;) {
    if (isRepoRoot(dir)) return dir;
    const parent = path.dirname(dir);
    if (parent === dir) return undefined;
    dir = parent;
  }
}

let cachedRoot: string | undefined;

/**
 * The repository root: the nearest folder at or above the current directory (then above this
 * file) whose package.json is named "distlab". `DISTLAB_ROOT` in the environment overrides it.
 * Falls back to the current directory.
 *
 * @example
 * // in a notebook, whose cwd is <repo>/notebooks
 * findRepoRoot(); // "/home/me/distlab"
 */
export function findRepoRoot(): string {
  const fromEnv = process.env.DISTLAB_ROOT;
  if (fromEnv) return path.resolve(fromEnv);
  if (cachedRoot) return cachedRoot;
  const here = typeof __dirname === "string" ? __dirname : undefined;
  const found = walkUp(process.cwd()) ?? (here ? walkUp(here) : undefined);
  if (found) cachedRoot = found;
  return found ?? process.cwd();
}

/**
 * Resolves a path given relative to the repository root (absolute paths pass through).
 *
 * @example
 * repoPath("diagrams/00-getting-started/ping.mmd"); // "/home/me/distlab/diagrams/00-getting-started/ping.mmd"
 */
export function repoPath(relative: string): string {
  return path.isAbsolute(relative) ? relative : path.join(findRepoRoot(), relative);
}

/**
 * Where Chromium is looked for, in order, when neither `DISTLAB_CHROMIUM` nor
 * `PUPPETEER_EXECUTABLE_PATH` is set (Debian's packages first). scripts/setup.js, which runs
 * before `npm ci` and so cannot import this file, keeps the same list and the same rules;
 * test/setup/find-chromium.test.ts checks that the two agree.
 *
 * @example
 * CHROMIUM_CANDIDATES[0]; // "/usr/bin/chromium"
 */
export const CHROMIUM_CANDIDATES: readonly string[] = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/**
 * The command that installs Chromium and the diagram fonts on Debian or Ubuntu (with `sudo`
 * when not root). `npm test` and `npm start` run it themselves when they run as root.
 *
 * @example
 * chromiumInstallCommand(); // "apt-get update && apt-get install -y --no-install-recommends chromium fonts-dejavu-core"
 */
export function chromiumInstallCommand(): string {
  const sudo = typeof process.getuid === "function" && process.getuid() === 0 ? "" : "sudo ";
  return `${sudo}apt-get update && ${sudo}apt-get install -y --no-install-recommends chromium fonts-dejavu-core`;
}

/**
 * The Chromium to launch: the file `DISTLAB_CHROMIUM` (else `PUPPETEER_EXECUTABLE_PATH`) names,
 * or without either variable the first of {@link CHROMIUM_CANDIDATES} that exists. Throws an
 * error with the install command when there is none, or when the variable names a missing file.
 *
 * @example
 * findChromium(); // "/usr/bin/chromium"
 */
export function findChromium(): string {
  for (const name of ["DISTLAB_CHROMIUM", "PUPPETEER_EXECUTABLE_PATH"]) {
    const value = process.env[name];
    if (!value) continue;
    if (fs.existsSync(value)) return value;
    throw new Error(
      `${name} is "${value}", which does not exist: point it at a Chromium binary, or unset it to use ` +
        `${CHROMIUM_CANDIDATES[0]}. To install Chromium: ${chromiumInstallCommand()}`,
    );
  }
  for (const candidate of CHROMIUM_CANDIDATES) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(
    `Chromium not found (looked for ${CHROMIUM_CANDIDATES.join(", ")}). Install it with: ` +
      `${chromiumInstallCommand()} (\`npm test\` and \`npm start\` do this themselves when run as root), ` +
      "or set DISTLAB_CHROMIUM to a Chromium binary.",
  );
}

/**
 * Whether the tests that need Chromium are to be skipped: `npm test` (scripts/test.js) found no
 * Chromium, could not install it and is not running under CI, so it set `DISTLAB_BROWSER=missing`
 * for the test workers and reports the skip at the end of the run. The decision is made there,
 * once; test files only ask this, e.g. with `describe.skipIf(browserTestsSkipped())`.
 *
 * @example
 * describe.skipIf(browserTestsSkipped())("diagrams Mermaid accepts", () => { … });
 */
export function browserTestsSkipped(): boolean {
  return process.env.DISTLAB_BROWSER === "missing";
}

/**
 * The path of Mermaid's self-contained browser bundle (`mermaid.min.js`) in node_modules,
 * loaded into the page from disk so that rendering never touches the network.
 *
 * @example
 * findMermaidBundle(); // ".../node_modules/mermaid/dist/mermaid.min.js"
 */
export function findMermaidBundle(): string {
  const root = findRepoRoot();
  const bases = [
    path.join(root, "package.json"),
    path.join(root, "node_modules", "@mermaid-js", "mermaid-cli", "package.json"),
  ];
  for (const base of bases) {
    try {
      const pkg = createRequire(base).resolve("mermaid/package.json");
      const bundle = path.join(path.dirname(pkg), "dist", "mermaid.min.js");
      if (fs.existsSync(bundle)) return bundle;
    } catch {
      // try the next base
    }
  }
  throw new Error("mermaid's browser bundle (mermaid/dist/mermaid.min.js) not found: run `npm ci`.");
}
