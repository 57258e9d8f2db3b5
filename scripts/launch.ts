/**
 * `npm run launch`: start a cluster of real `distlab-node` processes on this machine (see
 * runtime/launcher.ts), print every routed message as it flows, and on Ctrl-C (or a second after
 * the end of piped stdin) stop them and write the trace and a Mermaid sequence diagram.
 *
 *   npm run launch -- cluster.json                      a config: { nodes: [{ id, module, exportName, options? }],
 *                                                        delayMs?, lossProbability?, seed?, storageDir? }
 *   npm run launch -- --module solutions/00-getting-started/echo.ts --export echoServer --nodes 1
 *   npm run launch -- --module lib/kv/server.ts --export kvRaftServer --nodes 3 --raft-peers \
 *                     --options '{"tickMs":20}' --delay 5-20 --loss 0.05
 *   … --out DIR                                          where to write trace.jsonl and sequence.mmd (default build/launch)
 *
 * Type requests on stdin as `<dest> <body JSON>`; they are sent by client c1, e.g.
 *   n1 {"type":"echo","echo":"hi"}
 * A real run is not replayable: `--seed` fixes the router's loss and delay draws, not the order in
 * which the processes' messages arrive.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { createInterface } from "node:readline";
import { launch, type LaunchNode, type LaunchOptions } from "../runtime/launcher";
import { messageLabel, toSequenceDiagram, type TraceEvent } from "../lib/trace/index";

const USAGE = "usage: npm run launch -- <config.json> | --module FILE --export NAME [--nodes N] [--options JSON] [--raft-peers] [--delay MS|MIN-MAX] [--loss P] [--seed N] [--out DIR]";

/** The launch options and the output folder from the command line. */
function parseArgs(argv: string[]): { options: LaunchOptions; outDir: string } {
  let config: Partial<LaunchOptions> = {};
  let module: string | undefined;
  let exportName: string | undefined;
  let count = 1;
  let nodeOptions: Record<string, unknown> | undefined;
  let raftPeers = false;
  let outDir = path.join("build", "launch");
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const value = (): string => {
      const v = argv[++i];
      if (v === undefined) throw new Error(`${a} needs a value`);
      return v;
    };
    if (a === "--help" || a === "-h") {
      console.log(USAGE);
      process.exit(0);
    } else if (a === "--module") module = value();
    else if (a === "--export") exportName = value();
    else if (a === "--nodes") count = Number(value());
    else if (a === "--options") nodeOptions = JSON.parse(value());
    else if (a === "--raft-peers") raftPeers = true;
    else if (a === "--delay") {
      const [min, max] = value().split("-").map(Number);
      config.delayMs = max === undefined ? min : [min, max];
    } else if (a === "--loss") config.lossProbability = Number(value());
    else if (a === "--seed") config.seed = Number(value());
    else if (a === "--out") outDir = value();
    else if (a.startsWith("-")) throw new Error(`unknown option ${a}`);
    else config = { ...JSON.parse(fs.readFileSync(a, "utf8")), ...config };
  }
  if (module !== undefined || exportName !== undefined) {
    if (module === undefined || exportName === undefined) throw new Error("give both --module and --export");
    if (!(Number.isInteger(count) && count >= 1)) throw new Error(`--nodes must be a whole number ≥ 1, got ${count}`);
    const ids = Array.from({ length: count }, (_, i) => `n${i + 1}`);
    const spec = { module, exportName };
    const nodes: LaunchNode[] = ids.map((id) => {
      const peers = raftPeers ? { peers: ids.filter((p) => p !== id) } : {};
      const options = nodeOptions === undefined && !raftPeers ? undefined : { ...nodeOptions, ...peers };
      return { id, ...spec, options };
    });
    config.nodes = nodes;
  }
  if (config.nodes === undefined) throw new Error(`no nodes: give a config file or --module and --export\n${USAGE}`);
  return { options: config as LaunchOptions, outDir };
}

/** One printed line per routed message: when it arrived or was dropped. */
function flowLine(e: TraceEvent): string | undefined {
  const time = `${e.timeMs.toFixed(1).padStart(9)}ms`;
  if (e.kind === "deliver") return `${time}  ${e.src} → ${e.dest}  ${messageLabel(e)}`;
  if (e.kind === "drop") return `${time}  ${e.src} ✗ ${e.dest}  ${messageLabel(e)}  (dropped: ${e.reason})`;
  if (e.kind === "crash" || e.kind === "restart" || e.kind === "error") return `${time}  ${JSON.stringify(e)}`;
  return undefined;
}

async function main(): Promise<void> {
  let parsed: { options: LaunchOptions; outDir: string };
  try {
    parsed = parseArgs(process.argv.slice(2));
  } catch (error) {
    console.error(`launch: ${error instanceof Error ? error.message : error}`);
    process.exitCode = 2;
    return;
  }
  const { options, outDir } = parsed;
  const cluster = await launch({
    ...options,
    onEvent: (e) => {
      const line = flowLine(e);
      if (line !== undefined) console.log(line);
    },
    onStderr: (node, line) => console.error(`  [${node}] ${line}`),
  });
  console.log(`started ${cluster.nodeIds.join(", ")}; type "<dest> <body JSON>" to send as c1; Ctrl-C to stop`);

  const client = cluster.client("c1");
  const input = createInterface({ input: process.stdin });
  input.on("line", (line) => {
    const match = /^\s*(\S+)\s+(\{.*\})\s*$/.exec(line);
    if (match === null) return void console.error('launch: type "<dest> <body JSON>", e.g. n1 {"type":"echo","echo":"hi"}');
    try {
      client.send(match[1], JSON.parse(match[2]));
    } catch (error) {
      console.error(`launch: ${error instanceof Error ? error.message : error}`);
    }
  });

  let finishing = false;
  const finish = async (): Promise<void> => {
    if (finishing) return;
    finishing = true;
    input.close();
    await cluster.stop();
    const trace = cluster.trace();
    fs.mkdirSync(outDir, { recursive: true });
    const traceFile = path.join(outDir, "trace.jsonl");
    const diagramFile = path.join(outDir, "sequence.mmd");
    fs.writeFileSync(traceFile, trace.events.map((e) => JSON.stringify(e)).join("\n") + "\n");
    fs.writeFileSync(diagramFile, toSequenceDiagram(trace, { showTime: true, legend: true, title: "a real run (wall-clock ms since launch)" }) + "\n");
    console.log(`stopped; ${trace.events.length} events in ${traceFile}, diagram in ${diagramFile} (render: npm run diagrams -- ${outDir})`);
    process.exit(0);
  };
  process.on("SIGINT", () => void finish());
  process.on("SIGTERM", () => void finish());
  input.on("close", () => void setTimeout(() => void finish(), 1000)); // end of piped input: let replies arrive first
}

main().catch((error) => {
  console.error(`launch: ${error instanceof Error ? error.message : error}`);
  process.exitCode = 1;
});
