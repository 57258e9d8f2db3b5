// determinism allow-list: reads DISTLAB_TARGET, which only chooses whose code is graded.
/**
 * The one switch between the student's code and the reference: env `DISTLAB_TARGET=exercises`
 * (default) or `solutions`. Graders load implementations only through `loadTarget`; the meta tests
 * load fixtures with `loadModule`. Nothing outside test/ and the test scripts reads this variable.
 */
import path from "node:path";
import { fileURLToPath } from "node:url";

/** Which implementation the graders run. */
export type Target = "exercises" | "solutions";

/** The repository root (two folders above this file). */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..", "..");

/**
 * The target chosen by `DISTLAB_TARGET` (default `"exercises"`); throws on any other value.
 *
 * @example
 * currentTarget(); // "exercises"
 */
export function currentTarget(): Target {
  const value = process.env.DISTLAB_TARGET;
  if (value === undefined || value === "" || value === "exercises") return "exercises";
  if (value === "solutions") return "solutions";
  throw new Error(`DISTLAB_TARGET must be "exercises" or "solutions", got ${JSON.stringify(value)}`);
}

/**
 * Import a module by its path from the repository root, without extension.
 *
 * @example
 * const buggy = await loadModule<PingPongApi>("test/fixtures/buggy/00-getting-started/ping-pong-no-wait");
 */
export async function loadModule<T>(modulePath: string): Promise<T> {
  const file = path.join(REPO_ROOT, `${modulePath}.ts`);
  return (await import(/* @vite-ignore */ file)) as T;
}

/**
 * Import an exercise module from the current target.
 *
 * @example
 * const impl = await loadTarget<PingPongApi>("00-getting-started/ping-pong"); // exercises/… or solutions/…
 */
export function loadTarget<T>(module: string): Promise<T> {
  return loadModule<T>(`${currentTarget()}/${module}`);
}
