/**
 * Shared "ensure" steps for `npm start`, `npm run notebooks`, `npm test` and .ci/run.
 * Plain CommonJS with no dependencies: it runs before node_modules exists.
 *
 *   ensureNpmDeps()           npm ci (PUPPETEER_SKIP_DOWNLOAD=1) when a dependency is missing
 *   ensureSystemPackages(o)   Jupyter, Chromium and DejaVu fonts: apt-get install as root, else
 *                             print the command to run (DISTLAB_APT=none: never run apt-get, as
 *                             for a user who is not root or has no apt-get; the setup tests use it)
 *   findChromium()            DISTLAB_CHROMIUM, PUPPETEER_EXECUTABLE_PATH, then /usr/bin/chromium…
 *   prepareBrowserTests()     `npm test`'s one decision about the browser tests: run, skip
 *                             (DISTLAB_BROWSER=missing for vitest) or, under CI, fail
 *   findJupyter()             /usr/bin/jupyter + /usr/bin/python3 (Debian), else `jupyter` on PATH
 *                             with its own python (pip); null when neither has nbclient
 *   ensureKernelSpec(j)       the tslab kernel spec under .jupyter/share/jupyter (gitignored)
 *   jupyterEnv()              environment for Jupyter: JUPYTER_PATH, node_modules/.bin on PATH,
 *                             FORCE_COLOR=1
 */
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { spawnSync } = require("node:child_process");

const ROOT = path.resolve(__dirname, "..");
const JUPYTER_PREFIX = path.join(ROOT, ".jupyter");
const JUPYTER_DATA = path.join(JUPYTER_PREFIX, "share", "jupyter");
const KERNEL_JSON = path.join(JUPYTER_DATA, "kernels", "tslab", "kernel.json");
const BIN = path.join(ROOT, "node_modules", ".bin");
const TSLAB_BIN = path.join(BIN, "tslab");
/** What the kernel spec starts: tslab, after starting the diagram browser (scripts/tslab-kernel). */
const KERNEL_BIN = path.join(__dirname, "tslab-kernel");

/** Debian packages for notebooks and diagrams (`npm start` and .ci/run install these). */
const APT_PACKAGES = {
  jupyter: ["jupyter-notebook", "jupyter-nbconvert", "python3-nbclient", "python3-ipykernel", "jupyter-client"],
  chromium: ["chromium"],
  fonts: ["fonts-dejavu-core"],
};
const ALL_APT_PACKAGES = [...APT_PACKAGES.jupyter, ...APT_PACKAGES.chromium, ...APT_PACKAGES.fonts];

function log(message) {
  console.log(`[setup] ${message}`);
}

function isRoot() {
  return typeof process.getuid === "function" && process.getuid() === 0;
}

/** The first file named `name` on PATH that is executable, or null. */
function which(name, envPath = process.env.PATH || "") {
  for (const dir of envPath.split(path.delimiter)) {
    if (!dir) continue;
    const file = path.join(dir, name);
    try {
      fs.accessSync(file, fs.constants.X_OK);
      if (fs.statSync(file).isFile()) return file;
    } catch {
      // not here
    }
  }
  return null;
}

function run(command, args, options = {}) {
  const shown = [command, ...args].join(" ");
  log(`$ ${shown}`);
  const result = spawnSync(command, args, { cwd: ROOT, stdio: "inherit", ...options });
  if (result.error) throw new Error(`${shown}: ${result.error.message}`);
  if (result.status !== 0) throw new Error(`${shown} exited with ${result.status ?? result.signal}`);
}

// ---------------------------------------------------------------------------------------------
// npm dependencies

/** Names of the package.json dependencies that are not installed in node_modules. */
function missingNpmDeps() {
  const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, "package.json"), "utf8"));
  const names = Object.keys({ ...(pkg.dependencies || {}), ...(pkg.devDependencies || {}) });
  return names.filter((name) => !fs.existsSync(path.join(ROOT, "node_modules", name, "package.json")));
}

/**
 * Installs the npm dependencies when node_modules lacks any of them: `npm ci` when
 * package-lock.json exists, else `npm install`; never lets puppeteer download a browser.
 * Synchronous; throws if npm fails. Returns true when it installed something.
 */
function ensureNpmDeps(options = {}) {
  const missing = missingNpmDeps();
  if (missing.length === 0 && !options.force) return false;
  const hasLock = fs.existsSync(path.join(ROOT, "package-lock.json"));
  const npm = process.platform === "win32" ? "npm.cmd" : "npm";
  log(
    missing.length > 0
      ? `npm dependencies missing (${missing.slice(0, 5).join(", ")}${missing.length > 5 ? ", …" : ""}): installing`
      : "reinstalling npm dependencies",
  );
  run(npm, [hasLock ? "ci" : "install", "--no-audit", "--no-fund"], {
    env: { ...process.env, PUPPETEER_SKIP_DOWNLOAD: "1", PUPPETEER_SKIP_CHROME_DOWNLOAD: "1" },
    shell: process.platform === "win32",
  });
  return true;
}

// ---------------------------------------------------------------------------------------------
// Jupyter

const PY_PROBE = [
  "import importlib.util, json, sys",
  "mods = ['nbclient', 'nbformat', 'jupyter_client', 'notebook', 'IPython']",
  "print(json.dumps({'executable': sys.executable, 'modules': {m: importlib.util.find_spec(m) is not None for m in mods}}))",
].join("\n");

function probePython(python) {
  if (!python) return null;
  const result = spawnSync(python, ["-c", PY_PROBE], { encoding: "utf8", timeout: 30_000 });
  if (result.status !== 0 || !result.stdout) return null;
  try {
    return JSON.parse(result.stdout.trim().split("\n").pop());
  } catch {
    return null;
  }
}

/** The interpreter named by a script's #! line (`#!/usr/bin/env python3` → python3 on PATH). */
function shebangPython(script) {
  let first;
  try {
    first = fs.readFileSync(script, "utf8").split("\n", 1)[0];
  } catch {
    return null;
  }
  const m = /^#!\s*(\S+)(?:\s+(\S+))?/.exec(first);
  if (!m) return null;
  if (path.basename(m[1]) === "env" && m[2]) return which(m[2]);
  return m[1];
}

/**
 * Where Jupyter is: `{ python, jupyter, server }` where `python` has nbclient, nbformat and
 * jupyter_client, `jupyter` is the command prefix to run jupyter subcommands, and `server` tells
 * whether the classic notebook server is installed. Prefers Debian's /usr/bin/jupyter with
 * /usr/bin/python3, else `jupyter` on PATH with the python it runs on. Null if none is usable.
 */
function findJupyter() {
  const candidates = [];
  if (fs.existsSync("/usr/bin/jupyter") && fs.existsSync("/usr/bin/python3")) {
    candidates.push({ python: "/usr/bin/python3", jupyter: ["/usr/bin/jupyter"] });
  }
  const onPath = which("jupyter");
  if (onPath) {
    const py = shebangPython(onPath);
    if (py) candidates.push({ python: py, jupyter: [onPath] });
  }
  for (const name of ["python3", "python"]) {
    const py = which(name);
    if (py) candidates.push({ python: py, jupyter: [py, "-m", "jupyter"] });
  }
  const seen = new Set();
  for (const candidate of candidates) {
    if (seen.has(candidate.python)) continue;
    seen.add(candidate.python);
    const probe = probePython(candidate.python);
    if (!probe) continue;
    const m = probe.modules;
    if (m.nbclient && m.nbformat && m.jupyter_client) {
      return { python: candidate.python, jupyter: candidate.jupyter, server: !!m.notebook, ipython: !!m.IPython };
    }
  }
  return null;
}

/** The environment Jupyter and the tslab kernel run in. */
function jupyterEnv(base = process.env) {
  const env = { ...base };
  env.JUPYTER_PATH = [JUPYTER_DATA, base.JUPYTER_PATH].filter(Boolean).join(path.delimiter);
  env.PATH = [BIN, base.PATH].filter(Boolean).join(path.delimiter);
  env.FORCE_COLOR = base.FORCE_COLOR || "1";
  env.DISTLAB_ROOT = ROOT;
  env.PUPPETEER_SKIP_DOWNLOAD = "1";
  return env;
}

function kernelSpecOk() {
  try {
    const spec = JSON.parse(fs.readFileSync(KERNEL_JSON, "utf8"));
    return Array.isArray(spec.argv) && spec.argv[0] === KERNEL_BIN && fs.existsSync(TSLAB_BIN);
  } catch {
    return false;
  }
}

/**
 * Installs the tslab kernel spec into .jupyter/share/jupyter/kernels (not the user's or system's
 * kernels), pointing at this clone's scripts/tslab-kernel (tslab, with the diagram browser started first). Reinstalls it when the clone moved.
 */
function ensureKernelSpec(jupyter = findJupyter()) {
  if (kernelSpecOk()) return false;
  if (!fs.existsSync(TSLAB_BIN)) throw new Error(`${TSLAB_BIN} is missing: run npm ci`);
  log("installing the tslab kernel spec into .jupyter/");
  let installed = false;
  if (jupyter && jupyter.ipython) {
    try {
      run(TSLAB_BIN, ["install", `--python=${jupyter.python}`, `--binary=${KERNEL_BIN}`, `--prefix=${JUPYTER_PREFIX}`]);
      installed = kernelSpecOk();
    } catch (error) {
      log(`tslab install failed (${error.message}); writing the kernel spec directly`);
    }
  }
  if (!installed) {
    // What `tslab install` writes, without needing IPython.
    for (const [name, js] of [["tslab", false], ["jslab", true]]) {
      const dir = path.join(JUPYTER_DATA, "kernels", name);
      fs.mkdirSync(dir, { recursive: true });
      const argv = [KERNEL_BIN, "kernel", "--config-path", "{connection_file}", ...(js ? ["--js"] : [])];
      const spec = { argv, display_name: js ? "JavaScript" : "TypeScript", language: js ? "javascript" : "typescript" };
      fs.writeFileSync(path.join(dir, "kernel.json"), JSON.stringify(spec) + "\n");
    }
  }
  return true;
}

// ---------------------------------------------------------------------------------------------
// System packages

/**
 * Where Chromium is looked for, in order, when neither DISTLAB_CHROMIUM nor
 * PUPPETEER_EXECUTABLE_PATH is set. lib/render/paths.ts has the same list and the same rules
 * (test/setup/find-chromium.test.ts checks that both answer alike).
 */
const CHROMIUM_CANDIDATES = ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"];

/** `{ name, value }` of the variable that names the Chromium binary (DISTLAB_CHROMIUM first), or null. */
function chromiumOverride(env = process.env) {
  for (const name of ["DISTLAB_CHROMIUM", "PUPPETEER_EXECUTABLE_PATH"]) {
    if (env[name]) return { name, value: env[name] };
  }
  return null;
}

/**
 * The Chromium binary: the file DISTLAB_CHROMIUM (else PUPPETEER_EXECUTABLE_PATH) names, when it
 * exists; without either variable the first of CHROMIUM_CANDIDATES that exists. Null if none.
 */
function findChromium() {
  const override = chromiumOverride();
  if (override) return fs.existsSync(override.value) ? override.value : null;
  for (const candidate of CHROMIUM_CANDIDATES) {
    if (fs.existsSync(candidate)) return candidate;
  }
  return null;
}

function hasDejaVuFont() {
  const dirs = ["/usr/share/fonts/truetype/dejavu", "/usr/share/fonts/dejavu", "/usr/share/fonts/TTF"];
  return dirs.some((dir) => fs.existsSync(path.join(dir, "DejaVuSans.ttf")));
}

/** The package groups `npm start` needs; `npm test` needs only chromium and fonts. */
const ALL_GROUPS = ["jupyter", "chromium", "fonts"];

/**
 * The Debian packages still needed, of the groups asked for (default all: Jupyter, with the
 * notebook server when `server` is not false; Chromium; DejaVu fonts). Empty when everything is
 * there, from apt or pip.
 */
function missingSystemPackages(options = {}) {
  const groups = options.groups || ALL_GROUPS;
  const needServer = options.server !== false;
  const missing = [];
  if (groups.includes("jupyter")) {
    const jupyter = findJupyter();
    if (!jupyter || (needServer && !jupyter.server)) missing.push(...APT_PACKAGES.jupyter);
  }
  if (groups.includes("chromium") && !findChromium()) missing.push(...APT_PACKAGES.chromium);
  if (groups.includes("fonts") && !hasDejaVuFont()) missing.push(...APT_PACKAGES.fonts);
  return missing;
}

/**
 * Whether setup may run apt-get: as root, with apt-get on PATH. `DISTLAB_APT=none` says no
 * whatever the machine (what a user without root or without apt-get gets; the tests of the setup
 * script use it).
 */
function canRunApt() {
  if (process.env.DISTLAB_APT === "none") return false;
  return isRoot() && which("apt-get") !== null;
}

/** The command that installs `packages` (`sudo` in front when not root). */
function aptCommand(packages, sudo = !isRoot()) {
  const s = sudo ? "sudo " : "";
  return `${s}apt-get update && ${s}apt-get install -y --no-install-recommends ${packages.join(" ")}`;
}

/**
 * Makes sure the Debian packages of `options.groups` (default: Jupyter, Chromium and the fonts)
 * are installed. As root with apt-get (see canRunApt), installs the missing ones (`apt-get update`
 * first); otherwise prints the exact command and returns false. Options: `groups`, `server`
 * (default true: Jupyter must include the notebook server), `install` (default true: may run
 * apt-get). A DISTLAB_CHROMIUM that names a missing file is reported, not "fixed" by apt-get.
 */
function ensureSystemPackages(options = {}) {
  let missing = missingSystemPackages(options);
  if (missing.length === 0) return true;
  const override = chromiumOverride();
  if (override && missing.includes("chromium")) {
    console.error(`[setup] ${override.name} is "${override.value}", which does not exist: point it at a Chromium binary, or unset it`);
  }
  if (options.install !== false && canRunApt()) {
    // apt-get cannot help a variable that names a missing file.
    const installable = override ? missing.filter((p) => !APT_PACKAGES.chromium.includes(p)) : missing;
    if (installable.length === 0) return false;
    log(`installing Debian packages: ${installable.join(" ")}`);
    const env = { ...process.env, DEBIAN_FRONTEND: "noninteractive" };
    run("apt-get", ["update"], { env });
    run("apt-get", ["install", "-y", "--no-install-recommends", ...installable], { env });
    missing = missingSystemPackages(options);
    if (missing.length === 0) return true;
    console.error(`[setup] still missing after apt-get install: ${missing.join(" ")}`);
    return false;
  }
  console.error(`[setup] missing: ${missing.join(" ")}`);
  if (process.env.DISTLAB_APT !== "none" && which("apt-get")) {
    console.error("[setup] install them with:\n");
    console.error(`    ${aptCommand(missing)}\n`);
  } else {
    const other = [
      missing.some((p) => APT_PACKAGES.jupyter.includes(p)) && "Jupyter (pip install notebook nbclient)",
      missing.includes("chromium") && "Chromium (then set DISTLAB_CHROMIUM to its binary if it is not /usr/bin/chromium)",
      missing.some((p) => APT_PACKAGES.fonts.includes(p)) && "the DejaVu fonts",
    ].filter(Boolean);
    console.error(`[setup] on Debian or Ubuntu, install them with: ${aptCommand(missing)}`);
    console.error(`[setup] elsewhere install ${other.join(", ")} by other means.`);
  }
  return false;
}

// ---------------------------------------------------------------------------------------------
// The browser tests of `npm test`

/**
 * The variable scripts/test.js sets for the vitest workers: `DISTLAB_BROWSER=missing` when the
 * browser tests are to be skipped. The test files ask lib/render's browserTestsSkipped().
 */
const BROWSER_ENV = "DISTLAB_BROWSER";

/** Whether this is a CI run: CI set to anything but "", "0" or "false". */
function isCI(env = process.env) {
  const value = (env.CI || "").trim().toLowerCase();
  return value !== "" && value !== "0" && value !== "false";
}

/**
 * What `npm test` does with the tests that need Chromium: "run" when there is one, else "skip"
 * (reported loudly, with the install command), except under CI, where a missing browser is a
 * failure: "fail" runs them, and they fail with findChromium's message.
 */
function browserTestMode({ chromium, ci }) {
  if (chromium) return "run";
  return ci ? "fail" : "skip";
}

/**
 * The one decision about Chromium for `npm test`: installs Chromium and the fonts when it can
 * (root with apt-get; Jupyter is not needed by the tests), then returns
 * `{ chromium, mode, env, installCommand, problem }`: `mode` from browserTestMode, `env` the
 * variables to give vitest (DISTLAB_BROWSER: "missing" when skipping, else "found" or
 * "required"; only "missing" makes browserTestsSkipped() true), `installCommand`
 * the exact command that installs what is missing, `problem` one line saying why there is no
 * browser (undefined when there is one).
 */
function prepareBrowserTests(options = {}) {
  const ci = options.ci === undefined ? isCI() : options.ci;
  try {
    ensureSystemPackages({ groups: ["chromium", "fonts"], install: options.install });
  } catch (error) {
    // e.g. apt-get without a network: the tests still run, and the verdict below says what is missing
    console.error(`[setup] ${error && error.message ? error.message : error}: going on without`);
  }
  const chromium = findChromium();
  const mode = browserTestMode({ chromium, ci });
  const override = chromiumOverride();
  const packages = [...APT_PACKAGES.chromium, ...(hasDejaVuFont() ? [] : APT_PACKAGES.fonts)];
  const problem = chromium
    ? undefined
    : override
      ? `${override.name}=${override.value} does not exist`
      : `no Chromium at ${CHROMIUM_CANDIDATES.join(", ")}`;
  // Always set, so that a DISTLAB_BROWSER inherited from the shell cannot overrule the verdict.
  const env = { [BROWSER_ENV]: { run: "found", skip: "missing", fail: "required" }[mode] };
  return { chromium, mode, env, installCommand: aptCommand(packages), problem };
}

// ---------------------------------------------------------------------------------------------
// Imports the notebook kernel cannot load

function listTsFiles(dir) {
  const out = [];
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...listTsFiles(full));
    else if (/\.tsx?$/.test(entry.name) && !entry.name.endsWith(".d.ts")) out.push(full);
  }
  return out.sort();
}

// ---------------------------------------------------------------------------------------------
// The library as the notebook kernel loads it

/** Where `lib/` and `runtime/` are compiled for the kernel (JavaScript and declarations); `notebooks/lib` and `notebooks/runtime` link to its `lib/` and `runtime/`. */
const NOTEBOOK_LIB = path.join(ROOT, "build", "notebook-lib");
/** tslab's own TypeScript (5.0.4), so the declarations are ones its compiler reads. */
const TSLAB_TSC = path.join(ROOT, "node_modules", "@tslab", "typescript-for-tslab", "bin", "tsc");

/**
 * Compile lib/ and runtime/ to build/notebook-lib/ (CommonJS and .d.ts, tsconfig.notebooks.json) unless it is
 * newer than every file under them. The notebooks import `./lib`, which links to its lib/ folder:
 * the kernel then type-checks a notebook cell against declarations and runs compiled code, instead
 * of type-checking and compiling all of lib/ in every kernel (≈ 5 s per notebook, growing with lib/).
 * Returns true when it compiled.
 *
 * @example
 * buildNotebookLib(); // before starting Jupyter or executing notebooks
 */
function buildNotebookLib({ force = false } = {}) {
  const stamp = path.join(NOTEBOOK_LIB, ".built");
  // What was compiled: every source file with its size and modification time (a deleted or added
  // file changes it too), and the compiler settings.
  const sources = [...listTsFiles(path.join(ROOT, "lib")), ...listTsFiles(path.join(ROOT, "runtime")), path.join(ROOT, "tsconfig.notebooks.json")];
  const fingerprint = sources.map((f) => {
    const stat = fs.statSync(f);
    return `${path.relative(ROOT, f)} ${stat.size} ${stat.mtimeMs}`;
  }).join("\n") + "\n";
  if (!force && fs.existsSync(stamp) && fs.readFileSync(stamp, "utf8") === fingerprint) return false;
  if (!fs.existsSync(TSLAB_TSC)) throw new Error(`${TSLAB_TSC} is missing: run npm ci`);
  log("compiling lib/ and runtime/ for the notebook kernel into build/notebook-lib/ (once after each change to them) …");
  // Compile next to the old copy and swap the folders, so a kernel running meanwhile never finds
  // the library half-written or gone.
  const next = `${NOTEBOOK_LIB}.next`;
  const old = `${NOTEBOOK_LIB}.old`;
  fs.rmSync(next, { recursive: true, force: true });
  run(process.execPath, [TSLAB_TSC, "-p", path.join(ROOT, "tsconfig.notebooks.json"), "--outDir", next]);
  fs.writeFileSync(path.join(next, ".built"), fingerprint);
  fs.rmSync(old, { recursive: true, force: true });
  if (fs.existsSync(NOTEBOOK_LIB)) fs.renameSync(NOTEBOOK_LIB, old);
  fs.renameSync(next, NOTEBOOK_LIB);
  fs.rmSync(old, { recursive: true, force: true });
  return true;
}

/**
 * Value imports of a folder (`from "./sim"` meaning ./sim/index.ts) in lib/, exercises/,
 * solutions/ and notebooks/*.ts (all of which notebooks may load).
 * tslab resolves such an import at compile time but cannot load it at run time ("Cannot find
 * module './sim'"), so lib code writes "./sim/index". Type-only imports are fine (erased).
 * Returns `["lib/index.ts:3: \"./sim\" is a folder: write \"./sim/index\"", ...]`.
 */
function folderImports() {
  const files = [];
  for (const dir of ["lib", "exercises", "solutions"]) {
    if (fs.existsSync(path.join(ROOT, dir))) files.push(...listTsFiles(path.join(ROOT, dir)));
  }
  const nbDir = path.join(ROOT, "notebooks");
  if (fs.existsSync(nbDir)) {
    for (const name of fs.readdirSync(nbDir).sort()) {
      if (/\.tsx?$/.test(name) && !name.endsWith(".d.ts")) files.push(path.join(nbDir, name));
    }
  }
  const statement = /(^|\n)[ \t]*(import|export)\s+(type\s+)?([^;"']*?)\s*from\s*["']([^"']+)["']|(^|\n)[ \t]*import\s*["']([^"']+)["']|\b(?:import|require)\(\s*["']([^"']+)["']\s*\)/g;
  const problems = [];
  for (const file of files) {
    const text = fs.readFileSync(file, "utf8");
    let m;
    statement.lastIndex = 0;
    while ((m = statement.exec(text)) !== null) {
      const typeOnly = !!m[3] || (m[4] !== undefined && /^\{[^}]*\}$/.test(m[4].trim()) &&
        m[4].trim().slice(1, -1).split(",").map((x) => x.trim()).filter(Boolean).every((x) => x.startsWith("type ")));
      const spec = m[5] || m[7] || m[8];
      if (typeOnly || !spec || !spec.startsWith(".")) continue;
      const target = path.resolve(path.dirname(file), spec);
      const isFile = ["", ".ts", ".tsx", ".js", ".json"].some((ext) => {
        try {
          return fs.statSync(target + ext).isFile();
        } catch {
          return false;
        }
      });
      if (isFile) continue;
      if (fs.existsSync(path.join(target, "index.ts")) || fs.existsSync(path.join(target, "index.tsx"))) {
        const line = text.slice(0, m.index).split("\n").length + (m[1] === "\n" || m[6] === "\n" ? 1 : 0);
        const fixed = spec.replace(/\/?$/, "/index");
        problems.push(`${path.relative(ROOT, file)}:${line}: "${spec}" is a folder: write "${fixed}"`);
      }
    }
  }
  return problems;
}

module.exports = {
  buildNotebookLib,
  NOTEBOOK_LIB,
  folderImports,
  ROOT,
  JUPYTER_DATA,
  KERNEL_JSON,
  APT_PACKAGES,
  ALL_APT_PACKAGES,
  ensureNpmDeps,
  missingNpmDeps,
  findJupyter,
  jupyterEnv,
  ensureKernelSpec,
  findChromium,
  chromiumOverride,
  CHROMIUM_CANDIDATES,
  hasDejaVuFont,
  canRunApt,
  isCI,
  browserTestMode,
  prepareBrowserTests,
  BROWSER_ENV,
  missingSystemPackages,
  ensureSystemPackages,
  aptCommand,
  which,
  log,
};
