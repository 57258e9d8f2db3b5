// The node host: how nodes reach the clock, the network, the trace and the error policy. It is
// private to the runtime — the Simulation facade holds it, and notebooks never see it — so no
// code outside a node can send as that node or record on its behalf.
import { SimulationError } from "../sim/errors";
import type { Kernel } from "../sim/kernel";
import type { NodeHost, TimerEntry } from "../node/host";
import type { Body } from "../node/message";
import type { Trace } from "../trace/trace";
import type { TraceEvent } from "../trace/events";
import type { SimEvent } from "./events";
import type { NodeRegistry } from "./registry";
import type { Transport } from "./transport";

/** The parts of a simulation the host connects nodes to (set once the simulation has made them). */
export interface HostParts {
  kernel: Kernel<SimEvent>;
  registry: NodeRegistry;
  transport: Transport;
  trace: Trace;
  reportError(node: string, during: string, error: unknown): void;
}

/**
 * The `NodeHost` every node of one simulation talks to.
 *
 * @example
 * const host = new RuntimeHost(seed);
 * host.connect({ kernel, registry, transport, trace, reportError });
 */
export class RuntimeHost implements NodeHost {
  private parts!: HostParts;

  constructor(readonly seed: number) {}

  /** Attach the simulation's parts (they need the host to exist first). @example host.connect(parts) */
  connect(parts: HostParts): void {
    this.parts = parts;
  }

  nowMs(): number {
    return this.parts.kernel.nowMs;
  }

  record(event: TraceEvent): void {
    this.parts.trace.record(event);
  }

  nextMsgId(node: string): number {
    return this.parts.registry.get(node)!.nextMsgId++;
  }

  nodeIds(): string[] {
    return this.parts.registry.memberIds(); // a node that left is no one's peer
  }

  groupMembers(group: string, from: string): string[] {
    const members = this.parts.registry.members(group);
    if (!members) {
      throw this.error(`multicast: unknown group "${group}" (known: ${this.parts.registry.groupNames().join(", ") || "none"})`, from);
    }
    return members;
  }

  scheduleTimer(node: string, incarnation: number, timer: TimerEntry, atMs: number): void {
    this.parts.kernel.schedule({ kind: "timer", timeMs: atMs, seq: 0, node, incarnation, timer });
  }

  transmit(from: string, dest: string, body: Body, msgId?: number): void {
    const registry = this.parts.registry;
    const to = registry.get(dest);
    if (to === undefined) {
      throw this.error(`send ${body.type}: unknown destination node "${dest}" (known: ${registry.ids().join(", ")})`, from);
    }
    this.parts.transport.transmit(registry.get(from)!, to, body, msgId);
  }

  reportError(node: string, during: string, error: unknown): void {
    this.parts.reportError(node, during, error);
  }

  private error(text: string, node?: string): SimulationError {
    return new SimulationError(text, { node, timeMs: this.parts.kernel.nowMs, seed: this.seed });
  }
}
