// Nodes: Maelstrom-shaped messages, handlers, RPC, timers, states and durable storage.
export { Node, RpcTimeoutError } from "./node";
export { DurableStorage } from "./storage";
export type { Handler, RpcOptions } from "./node";
export type { Body, Message } from "./message";
export type { NodeHost, NodeResources, TimerEntry } from "./host";
