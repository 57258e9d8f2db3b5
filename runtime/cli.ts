// Real-process code (outside lib/): the command line of `distlab-node` — parse the flags, load
// the behaviour, run the Maelstrom session on stdin/stdout, exit with its code.
import { DISK_MODES, type DiskMode } from "../lib/node/storage";
import { loadBehaviour } from "./load-behaviour";
import { randomSeed } from "./process-host";
import { runSession } from "./session";

/** The usage text. */
export const USAGE = `usage: distlab-node <module.ts> <exportName> [--options JSON] [--storage DIR] [--disk durable|buffered]
                    [--seed N] [--trace FILE] [--groups JSON]
Runs the export (a node behaviour, as sim.spawn takes it) as one Maelstrom node on stdin/stdout.`;

/** The parsed command line. */
export interface CliArgs {
  modulePath: string;
  exportName: string;
  behaviourOptions?: unknown;
  storageDir?: string;
  diskMode?: DiskMode;
  seed?: number;
  tracePath?: string;
  groups?: Record<string, string[]>;
}

/**
 * Parse `distlab-node`'s arguments (after the script name); throws an Error naming the bad flag.
 *
 * @example
 * parseCliArgs(["echo.ts", "echoServer", "--seed", "7"]); // { modulePath: "echo.ts", exportName: "echoServer", seed: 7 }
 */
export function parseCliArgs(argv: readonly string[]): CliArgs {
  const positional: string[] = [];
  const args: Partial<CliArgs> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (!arg.startsWith("--")) {
      positional.push(arg);
      continue;
    }
    const eq = arg.indexOf("=");
    const flag = eq > 0 ? arg.slice(0, eq) : arg;
    const value = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new Error(`${flag} needs a value`);
    switch (flag) {
      case "--options":
        args.behaviourOptions = parseJson(flag, value);
        break;
      case "--storage":
        args.storageDir = value;
        break;
      case "--disk":
        if (!DISK_MODES.includes(value as DiskMode)) throw new Error(`--disk must be "durable" or "buffered", got ${JSON.stringify(value)}`);
        args.diskMode = value as DiskMode;
        break;
      case "--seed": {
        const seed = Number(value);
        if (!Number.isInteger(seed) || seed < 0 || seed >= 2 ** 32) throw new Error(`--seed must be an integer in [0, 2^32), got ${JSON.stringify(value)}`);
        args.seed = seed;
        break;
      }
      case "--trace":
        args.tracePath = value;
        break;
      case "--groups": {
        const groups = parseJson(flag, value);
        const ok = groups !== null && typeof groups === "object" && !Array.isArray(groups) &&
          Object.values(groups).every((m) => Array.isArray(m) && m.every((id) => typeof id === "string"));
        if (!ok) throw new Error(`--groups must be a JSON object of node id arrays, e.g. '{"replicas":["n1","n2"]}', got ${value}`);
        args.groups = groups as Record<string, string[]>;
        break;
      }
      default:
        throw new Error(`unknown flag ${flag}`);
    }
  }
  if (positional.length !== 2) throw new Error(`expected <module.ts> <exportName>, got ${positional.length} argument(s): ${positional.join(" ") || "none"}`);
  return { ...args, modulePath: positional[0], exportName: positional[1] };
}

function parseJson(flag: string, text: string): unknown {
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new Error(`${flag} must be JSON: ${err instanceof Error ? err.message : err}`);
  }
}

/**
 * Run `distlab-node` with these arguments; resolves to the exit code (2: bad command line).
 *
 * @example
 * process.exitCode = await main(process.argv.slice(2));
 */
export async function main(argv: readonly string[]): Promise<number> {
  let args: CliArgs;
  try {
    args = parseCliArgs(argv);
  } catch (err) {
    process.stderr.write(`distlab-node: ${err instanceof Error ? err.message : err}\n${USAGE}\n`);
    return 2;
  }
  let behaviour;
  try {
    behaviour = await loadBehaviour(args.modulePath, args.exportName);
  } catch (err) {
    process.stderr.write(`distlab-node: ${err instanceof Error ? err.message : err}\n`);
    return 2;
  }
  // whoever reads our stdout went away (Maelstrom or a launcher stopped): stop quietly, not with a stack
  process.stdout.on("error", (err: NodeJS.ErrnoException) => {
    if (err.code !== "EPIPE") process.stderr.write(`distlab-node: stdout failed: ${err.message}\n`);
    process.exit(err.code === "EPIPE" ? 0 : 1);
  });
  const seed = args.seed ?? randomSeed();
  if (args.seed === undefined) process.stderr.write(`distlab-node: node.rng seed ${seed} (give --seed ${seed} to draw the same numbers again)\n`);
  const end = await runSession({
    behaviour,
    behaviourOptions: args.behaviourOptions,
    storageDir: args.storageDir,
    diskMode: args.diskMode,
    seed,
    tracePath: args.tracePath,
    groups: args.groups,
    input: process.stdin,
    output: process.stdout,
    errors: process.stderr,
  });
  return end.exitCode;
}
