// Nodes: Maelstrom-shaped messages, handlers, RPC, timers, states and durable storage.
export { Node } from "./node";
export { RpcEngine, RpcTimeoutError } from "./rpc";
export { Disk, DurableStorage } from "./storage";
export type { Handler } from "./node";
export type { RpcOptions, RpcPort } from "./rpc";
export type { Body, Message } from "./message";
export type { NodeHost, NodeResources, TimerEntry } from "./host";
