// Real-process code (outside lib/): one node process's Maelstrom session — read stdin line by
// line, answer `init`, then start the behaviour and hand it every message. Real time throughout.
import { createInterface } from "node:readline";
import type { Readable, Writable } from "node:stream";
import { Disk, type DiskMode } from "../lib/node/storage";
import type { Message } from "../lib/node/message";
import type { Node } from "../lib/node/node";
import { ERROR_CODES, envelopeLine, errorBody, initProblem, parseLine } from "./maelstrom";
import { FileDisk } from "./file-disk";
import { ProcessHost, firstMsgIdOf } from "./process-host";
import { TraceFile } from "./trace-file";
import type { Behaviour } from "./load-behaviour";

/** What a session runs and where its state goes (the command line's flags). */
export interface SessionOptions {
  behaviour: Behaviour;
  /** Passed as the behaviour's second argument when given (`--options JSON`); omitted otherwise. */
  behaviourOptions?: unknown;
  /** Keep `node.storage` in `<storageDir>/<nodeId>.disk.json` (`--storage DIR`); in memory otherwise. */
  storageDir?: string;
  /** `"durable"` (default) or `"buffered"` (`--disk`), as lib's `DiskMode`. */
  diskMode?: DiskMode;
  /** Seed of `node.rng` (`--seed N`). */
  seed: number;
  /** Append trace events to this file (`--trace FILE`). */
  tracePath?: string;
  /** Multicast groups (`--groups JSON`). */
  groups?: Record<string, string[]>;
  input: Readable;
  output: Writable;
  errors: Writable;
}

/** How a session ended. */
export interface SessionEnd {
  /** 0: stdin closed normally; 1: the node could not start (bad init, behaviour threw at start, storage). */
  exitCode: number;
}

/**
 * Run one node on a Maelstrom-style stream: the first `init` is answered with `init_ok` (or with
 * an error if the behaviour throws while starting, and the session ends with exit code 1); each
 * later line is one message for the node. A malformed line is reported on stderr with its line
 * number and skipped. A request of a type the node does not handle is answered with error 10
 * (not-supported); a handler that throws synchronously while handling a request answers it with
 * error 13 (crash), and the node keeps running. The promise resolves when the input ends.
 *
 * @example
 * const end = await runSession({ behaviour: echoServer, seed: 1, input: process.stdin, output: process.stdout, errors: process.stderr });
 * process.exitCode = end.exitCode;
 */
export function runSession(options: SessionOptions): Promise<SessionEnd> {
  const out = (line: string): void => void options.output.write(`${line}\n`);
  let nodeId: string | undefined;
  const diagnose = (text: string): void => void options.errors.write(`distlab-node ${nodeId ?? "(before init)"}: ${text}\n`);
  let host: ProcessHost | undefined;
  let node: Node | undefined;
  let trace: TraceFile | undefined;
  let handling: Message | undefined; // the message whose handler runs now (sync part)
  let lineNo = 0;
  let exitCode = 0;

  const lines = createInterface({ input: options.input, crlfDelay: Infinity });

  const finish = (code: number): void => {
    exitCode = Math.max(exitCode, code);
    lines.close();
  };

  const replyRaw = (message: Message, body: Record<string, unknown>): void => {
    if (message.body.msg_id === undefined) return;
    out(envelopeLine(message.dest, message.src, JSON.stringify({ ...body, in_reply_to: message.body.msg_id })));
  };

  const init = (message: Message): void => {
    const problem = initProblem(message.body);
    if (problem !== undefined) {
      diagnose(`line ${lineNo}: ${problem}`);
      replyRaw(message, errorBody(ERROR_CODES.malformedRequest, problem));
      return;
    }
    nodeId = message.body.node_id as string;
    try {
      if (options.tracePath !== undefined) trace = new TraceFile(options.tracePath);
      const disk = options.storageDir === undefined ? new Disk(options.diskMode) : FileDisk.open(options.storageDir, nodeId, options.diskMode);
      const incarnation = disk instanceof FileDisk ? disk.incarnation : 1;
      host = new ProcessHost({
        nodeId,
        nodeIds: message.body.node_ids as string[],
        seed: options.seed,
        firstMsgId: firstMsgIdOf(incarnation),
        groups: options.groups,
        writeLine: out,
        logLine: diagnose,
        trace,
        onError: (_node, during, error) => {
          // a handler threw while handling a request: answer it, as Maelstrom's node libraries do
          if (handling !== undefined && handling.body.msg_id !== undefined && during === `message ${handling.body.type} from ${handling.src}`) {
            node!.reply(handling, errorBody(ERROR_CODES.crash, error instanceof Error ? error.message : String(error)));
            handling = undefined; // one error reply per request
          }
        },
      });
      node = host.createNode(disk, incarnation);
      const started = options.behaviourOptions === undefined ? options.behaviour(node) : options.behaviour(node, options.behaviourOptions);
      if (started && typeof (started as PromiseLike<unknown>).then === "function") {
        (started as Promise<unknown>).then(undefined, (err) => host!.reportError(nodeId!, "start", err));
      }
    } catch (err) {
      const text = err instanceof Error ? err.message : String(err);
      diagnose(`the node could not start: ${err instanceof Error && err.stack ? err.stack : text}`);
      replyRaw(message, errorBody(ERROR_CODES.crash, `node ${nodeId} could not start: ${text}`));
      finish(1);
      return;
    }
    node.reply(message, { type: "init_ok" });
  };

  const deliver = (message: Message): void => {
    if (message.dest !== nodeId) {
      diagnose(`line ${lineNo}: a message for "${message.dest}", but this is node "${nodeId}"; skipped`);
      return;
    }
    if (message.body.type === "init") {
      diagnose(`line ${lineNo}: a second init; this node is already "${nodeId}"`);
      replyRaw(message, errorBody(ERROR_CODES.malformedRequest, `node ${nodeId} is already initialised`));
      return;
    }
    handling = message;
    let outcome;
    try {
      outcome = node!._deliver(message);
    } finally {
      handling = undefined;
    }
    if (outcome !== "no-handler") return;
    const { body } = message;
    host!.record({ kind: "unhandled", timeMs: host!.nowMs(), id: 0, src: message.src, dest: message.dest, type: body.type, msgId: body.msg_id, inReplyTo: body.in_reply_to, reason: "no-handler" });
    const handles = node!.handledTypes().join(", ") || "none";
    if (body.msg_id !== undefined && body.in_reply_to === undefined) {
      node!.reply(message, errorBody(ERROR_CODES.notSupported, `node ${nodeId} does not handle message type "${body.type}" (it handles: ${handles})`));
    } else {
      diagnose(`line ${lineNo}: no handler for "${body.type}" from ${message.src} (handles: ${handles}); ignored`);
    }
  };

  lines.on("line", (line) => {
    lineNo++;
    if (line.trim() === "") return;
    const parsed = parseLine(line);
    if (parsed.kind === "malformed") {
      diagnose(`stdin line ${lineNo} is not a Maelstrom message: ${parsed.reason}; skipped: ${line.length > 200 ? `${line.slice(0, 200)}…` : line}`);
      return;
    }
    const message = parsed.message;
    if (node !== undefined) return deliver(message);
    if (message.body.type === "init") return init(message);
    diagnose(`line ${lineNo}: "${message.body.type}" from ${message.src} before init; answered with error 11`);
    replyRaw(message, errorBody(ERROR_CODES.temporarilyUnavailable, "this node has not received init yet"));
  });

  return new Promise((resolveEnd) => {
    lines.on("close", () => {
      host?.stop();
      trace?.close();
      resolveEnd({ exitCode });
    });
  });
}
