// Real-process code (outside lib/): start one `distlab-node` process and talk to it line by line,
// as Maelstrom would — for tests and for trying a node by hand. Uses real time (timeouts).
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import { join } from "node:path";
import { createInterface } from "node:readline";

/** The repository root (this file is runtime/node-process.ts). */
const ROOT = join(__dirname, "..");
/** The `distlab-node` executable script. */
export const DISTLAB_NODE_BIN = join(ROOT, "bin", "distlab-node.js");

/** A message line the process wrote, parsed. */
export interface OutLine {
  src: string;
  dest: string;
  body: Record<string, any>;
}

/** How the process ended. */
export interface ProcessEnd {
  code: number | null;
  signal: NodeJS.Signals | null;
  stderr: string;
}

/**
 * One `distlab-node` process: write lines to its stdin, wait for the lines it writes.
 *
 * @example
 * const p = NodeProcess.start(["runtime/examples/g-set.ts", "gSetNode"]);
 * p.send({ src: "c0", dest: "n1", body: { type: "init", msg_id: 1, node_id: "n1", node_ids: ["n1"] } });
 * await p.next((m) => m.body.type === "init_ok");
 * const end = await p.end(); // closes stdin: the node stops, exit code 0
 */
export class NodeProcess {
  /** Every parsed stdout line so far, in order. */
  readonly lines: OutLine[] = [];
  private stderrText = "";
  private waiters: { match: (m: OutLine) => boolean; resolve: (m: OutLine) => void }[] = [];
  private readonly exited: Promise<ProcessEnd>;

  private constructor(readonly child: ChildProcessWithoutNullStreams) {
    createInterface({ input: child.stdout, crlfDelay: Infinity }).on("line", (text) => {
      let line: OutLine;
      try {
        line = JSON.parse(text) as OutLine;
      } catch {
        throw new Error(`distlab-node wrote a line that is not JSON to stdout: ${text}`);
      }
      this.lines.push(line);
      this.waiters = this.waiters.filter((w) => !(w.match(line) && (w.resolve(line), true)));
    });
    child.stderr.setEncoding("utf8").on("data", (chunk: string) => void (this.stderrText += chunk));
    this.exited = new Promise((resolve) => child.on("close", (code, signal) => resolve({ code, signal, stderr: this.stderrText })));
  }

  /**
   * Start `node bin/distlab-node.js ...args` in the repository root.
   *
   * @example
   * NodeProcess.start(["runtime/examples/probe.ts", "probeNode", "--storage", dir]);
   */
  static start(args: readonly string[], cwd = ROOT): NodeProcess {
    return new NodeProcess(spawn(process.execPath, [DISTLAB_NODE_BIN, ...args], { cwd, stdio: ["pipe", "pipe", "pipe"] }));
  }

  /** What the process wrote to stderr so far. @example p.stderr */
  get stderr(): string {
    return this.stderrText;
  }

  /** Write one line: a message object, or raw text (to test malformed input). @example p.send("oops") */
  send(message: object | string): void {
    this.child.stdin.write(`${typeof message === "string" ? message : JSON.stringify(message)}\n`);
  }

  /**
   * The first line (already written or still to come) that matches, or a rejection after `timeoutMs`.
   *
   * @example
   * const reply = await p.next((m) => m.body.in_reply_to === 2, 5000);
   */
  next(match: (m: OutLine) => boolean, timeoutMs = 8000): Promise<OutLine> {
    const seen = this.lines.find(match);
    if (seen !== undefined) return Promise.resolve(seen);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no matching line from distlab-node within ${timeoutMs} ms; stdout so far:\n${this.lines.map((l) => JSON.stringify(l)).join("\n")}\nstderr:\n${this.stderrText}`)), timeoutMs);
      this.waiters.push({ match, resolve: (m) => (clearTimeout(timer), resolve(m)) });
    });
  }

  /** Close stdin (the node stops) and wait for the process to exit. @example const { code } = await p.end() */
  end(): Promise<ProcessEnd> {
    this.child.stdin.end();
    return this.exited;
  }

  /** Kill the process with SIGKILL (a crash: no clean-up runs) and wait for it. @example await p.kill() */
  kill(): Promise<ProcessEnd> {
    this.child.kill("SIGKILL");
    return this.exited;
  }
}

/**
 * Maelstrom's `init` message for node `nodeId` of `nodeIds`.
 *
 * @example
 * p.send(initMessage("n1", ["n1", "n2"]));
 */
export function initMessage(nodeId: string, nodeIds: readonly string[], msgId = 1): OutLine {
  return { src: "c0", dest: nodeId, body: { type: "init", msg_id: msgId, node_id: nodeId, node_ids: nodeIds.slice() } };
}
