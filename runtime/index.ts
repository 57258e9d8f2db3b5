// Real processes: lib's unchanged Node on real time, real timers, real files and stdin/stdout,
// speaking Maelstrom's protocol (bin/distlab-node.js). Everything here may use real time and
// randomness; nothing under lib/ imports it.
export { ProcessHost, firstMsgIdOf, randomSeed } from "./process-host";
export { FileDisk } from "./file-disk";
export { TraceFile } from "./trace-file";
export { ERROR_CODES, errorBody, parseLine, initProblem, envelopeLine } from "./maelstrom";
export { runSession } from "./session";
export { loadBehaviour } from "./load-behaviour";
export { main, parseCliArgs, USAGE } from "./cli";
export { NodeProcess, initMessage, DISTLAB_NODE_BIN } from "./node-process";
export { launch, findRoot, INIT_CLIENT } from "./launcher";
export { LaunchTrace } from "./launcher-trace";
export type { ProcessHostOptions } from "./process-host";
export type { TraceLine } from "./trace-file";
export type { ErrorBody, ErrorCode, InitBody, ParsedLine } from "./maelstrom";
export type { SessionOptions, SessionEnd } from "./session";
export type { Behaviour } from "./load-behaviour";
export type { CliArgs } from "./cli";
export type { OutLine, ProcessEnd } from "./node-process";
export type { LaunchNode, LaunchOptions, ClientRpcOptions, LaunchClient, Cluster } from "./launcher";
