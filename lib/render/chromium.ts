/**
 * The browser's life: launch one headless Chromium over a pipe with a throwaway profile folder,
 * make sure it dies with this process, and clean up the profile folders that killed processes
 * left behind. What runs in the browser is mermaid-page.ts's business.
 */

import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import type { Browser } from "puppeteer";

/** Chromium's command-line flags: no sandbox (root in CI), no GPU, no background network traffic. */
export const CHROMIUM_ARGS: readonly string[] = [
  "--no-sandbox",
  "--disable-gpu",
  "--disable-dev-shm-usage",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  "--disable-quic",
];

/** What {@link launchChromium} needs. */
export interface ChromiumLaunch {
  /** The Chromium binary (see findChromium). */
  executablePath: string;
  /** Extra flags, after {@link CHROMIUM_ARGS}. */
  extraArgs?: readonly string[];
  /** Time limit for the launch and for every browser call, in ms. */
  timeoutMs: number;
}

/** A running Chromium. */
export interface Chromium {
  readonly browser: Browser;
  /**
   * Kills the browser process if it still runs and removes its profile folder, at once and
   * synchronously (it also runs when this process exits). Safe to call twice.
   */
  kill(): void;
  /**
   * From now on the browser's process and pipes do not keep Node's event loop alive, so that a
   * script may end while the browser idles (it is killed at exit). Until then they do, which
   * keeps the process alive while the page is being set up.
   */
  unref(): void;
}

/** Names of the profile folders in the temp dir: `distlab-chromium-<pid>-XXXXXX`. */
const PROFILE_PREFIX = "distlab-chromium-";

type PuppeteerLaunch = (typeof import("puppeteer"))["launch"];

async function loadPuppeteer(): Promise<PuppeteerLaunch> {
  const mod = (await import("puppeteer")) as typeof import("puppeteer") & { default?: typeof import("puppeteer") };
  const launch = mod.launch ?? mod.default?.launch;
  if (typeof launch !== "function") throw new Error("puppeteer has no launch(): run `npm ci`.");
  return launch;
}

/**
 * Starts a headless Chromium with a fresh profile folder in the temp dir. The browser is killed
 * and the folder removed when this process exits, unless {@link Chromium.kill} did it first.
 *
 * @example
 * const chromium = await launchChromium({ executablePath: findChromium(), timeoutMs: 60_000 });
 * try {
 *   const pages = await chromium.browser.pages();
 * } finally {
 *   chromium.kill();
 * }
 */
export async function launchChromium(options: ChromiumLaunch): Promise<Chromium> {
  const launch = await loadPuppeteer();
  removeStaleProfiles();
  const userDataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${PROFILE_PREFIX}${process.pid}-`));
  let browser: Browser;
  try {
    browser = await launch({
      executablePath: options.executablePath,
      headless: true,
      pipe: true,
      userDataDir,
      args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])],
      handleSIGINT: false,
      handleSIGTERM: false,
      handleSIGHUP: false,
      timeout: options.timeoutMs,
      protocolTimeout: options.timeoutMs,
      defaultViewport: { width: 1024, height: 768, deviceScaleFactor: 1 },
    });
  } catch (e) {
    removeDir(userDataDir);
    throw e;
  }
  const proc = browser.process();
  const kill = (): void => {
    process.removeListener("exit", kill);
    try {
      if (proc && proc.exitCode === null) proc.kill("SIGKILL");
    } catch {
      // already gone
    }
    removeDir(userDataDir);
  };
  process.on("exit", kill);
  return { browser, kill, unref: () => unrefProcess(proc) };
}

/** Lets Node exit while the browser runs: its process and pipes no longer hold the event loop. */
function unrefProcess(proc: ReturnType<Browser["process"]>): void {
  if (!proc) return;
  proc.unref();
  for (const stream of proc.stdio) {
    const s = stream as { unref?: () => void } | null;
    if (s && typeof s.unref === "function") s.unref();
  }
}

// A process killed by a signal leaves its profile folder behind (its Chromium exits by itself
// when the debugging pipe closes); remove the folders of processes that are gone.
function removeStaleProfiles(): void {
  let names: string[];
  try {
    names = fs.readdirSync(os.tmpdir());
  } catch {
    return;
  }
  for (const name of names) {
    const m = new RegExp(`^${PROFILE_PREFIX}(\\d+)-`).exec(name);
    if (!m || Number(m[1]) === process.pid || processAlive(Number(m[1]))) continue;
    removeDir(path.join(os.tmpdir(), name));
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as { code?: string }).code === "EPERM";
  }
}

function removeDir(dir: string): void {
  try {
    fs.rmSync(dir, { recursive: true, force: true, maxRetries: 2 });
  } catch {
    // best effort: a leftover profile folder in the temp dir does no harm
  }
}
