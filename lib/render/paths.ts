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
 * The Chromium to launch: `DISTLAB_CHROMIUM`, then `PUPPETEER_EXECUTABLE_PATH`, then the first of
 * Debian's /usr/bin/chromium, /usr/bin/chromium-browser, /usr/bin/google-chrome that exists.
 *
 * @example
 * findChromium(); // "/usr/bin/chromium"
 */
export function findChromium(): string {
  const fromEnv = process.env.DISTLAB_CHROMIUM || process.env.PUPPETEER_EXECUTABLE_PATH;
  if (fromEnv) return fromEnv;
  const candidates = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];
  for (const candidate of candidates) {
    if (fs.existsSync(candidate)) return candidate;
  }
  throw new Error(
    "Chromium not found (looked for " +
      candidates.join(", ") +
      "). Install it with: apt-get install -y --no-install-recommends chromium fonts-dejavu-core " +
      "(or run `npm start -- --check`), or set DISTLAB_CHROMIUM to a Chromium binary.",
  );
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
