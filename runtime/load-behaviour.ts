// Real-process code (outside lib/): loads a node behaviour — the same export a student gives
// `sim.spawn` — from a TypeScript (or JavaScript) module, by name. The process must have tsx's
// loader registered (bin/distlab-node.js does it) to import `.ts` files.
import { existsSync } from "node:fs";
import { resolve } from "node:path";
import { pathToFileURL } from "node:url";
import type { Node } from "../lib/node/node";

/** A node behaviour as `sim.spawn` takes it, with the options a `--options` flag gives. */
export type Behaviour = (node: Node, options?: unknown) => unknown;

/**
 * Import `modulePath` (relative to `cwd`) and return its export `exportName`, a function. Errors
 * name the file and list its function exports when the name is missing.
 *
 * @example
 * const echo = await loadBehaviour("solutions/00-getting-started/echo.ts", "echoServer");
 * echo(node);
 */
export async function loadBehaviour(modulePath: string, exportName: string, cwd = process.cwd()): Promise<Behaviour> {
  const file = resolve(cwd, modulePath);
  if (!existsSync(file)) throw new Error(`cannot load a behaviour: no file ${file}`);
  let module: Record<string, unknown>;
  try {
    // Under bin/distlab-node.js this file runs as CommonJS with tsx's require hooks: require the
    // module (no ESM loader thread needed). Elsewhere (an ES module context), import it.
    module = (typeof require === "function" ? require(file) : await import(pathToFileURL(file).href)) as Record<string, unknown>;
  } catch (err) {
    throw new Error(`cannot load a behaviour: importing ${modulePath} failed: ${err instanceof Error ? err.stack ?? err.message : err}`);
  }
  // a CommonJS-compiled module may put its exports under `default` as well
  const exported = exportName in module ? module[exportName] : (module.default as Record<string, unknown> | undefined)?.[exportName];
  if (exported === undefined) {
    throw new Error(`${modulePath} has no export "${exportName}"; its function exports: ${functionExports(module).join(", ") || "none"}`);
  }
  if (typeof exported !== "function") {
    throw new Error(`${modulePath}'s export "${exportName}" is a ${typeof exported}, not a behaviour function (node, options) => …; its function exports: ${functionExports(module).join(", ") || "none"}`);
  }
  return exported as Behaviour;
}

/** Names of the module's exported functions, sorted. */
function functionExports(module: Record<string, unknown>): string[] {
  const names = new Set<string>();
  for (const [name, value] of Object.entries(module)) if (typeof value === "function") names.add(name);
  const fallback = module.default;
  if (fallback && typeof fallback === "object") for (const [name, value] of Object.entries(fallback)) if (typeof value === "function") names.add(name);
  return Array.from(names).sort();
}
