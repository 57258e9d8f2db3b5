// Nodes: Maelstrom-shaped messages, handlers, RPC, timers, states and durable storage.
export { Node } from "./node";
export { RpcEngine, RpcTimeoutError } from "./rpc";
export { Disk, DurableStorage, DISK_MODES } from "./storage";
export { LocalClock, checkClockOptions } from "./clock";
export type { Handler, TimerOptions } from "./node";
export type { ClockOptions, TimerClock, ClockChange, ClockChangeRecord } from "./clock";
export type { RpcOptions, RpcPort } from "./rpc";
export type { Body, BodiesOf, BodyOf, Message, MessageTypes } from "./message";
export type { DiskMode } from "./storage";
export type { NodeHost, NodeResources, TimerEntry } from "./host";
