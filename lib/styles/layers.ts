/**
 * The layered style (lecture 000, "Layered Architecture"; lecture 001, "1. Layered Architecture"
 * and "Layered Communication Protocol"): each layer is a server for the layer above and a client
 * of the layer below. On the way down each layer wraps what it was given (its service data unit)
 * in its own header; on the way up each layer removes its header and hands the rest up.
 *
 * The lecture's three organisations are options of {@link ProtocolStack}:
 * - `"pure"` (A): a layer calls only the next lower layer; skipping a layer is a violation;
 * - `"mixed"` (B): a layer may call any lower layer (an application calling the OS directly);
 * - `"upcalls"` (C): pure downcalls, and a lower layer may call up to the next higher layer to
 *   notify it (the OS signalling an event to a subscriber above it).
 *
 * Every call is recorded in `stack.calls`, so a notebook can print the path a message took.
 */
import type { Node } from "../node/node";
import type { Message } from "../node/message";
import { SimulationError } from "../sim/errors";
import { Simulation } from "../simulation/simulation";
import { latency } from "../net/latency";

/** One layer: a name and the header it puts in front of what the layer above gave it. */
export interface Layer {
  name: string;
  /** The header fields for one SDU (JSON). Default: no fields (the header is still named). */
  header?: (sdu: unknown) => Record<string, unknown>;
}

/** A layer's protocol data unit: its header around the unit of the layer above. */
export interface LayeredFrame {
  layer: string;
  header: Record<string, unknown>;
  sdu: unknown;
}

/** The lecture's organisations A (pure), B (mixed) and C (with upcalls). */
export type LayerOrganisation = "pure" | "mixed" | "upcalls";

/** One call between layers, as recorded in `stack.calls`. */
export interface LayerCall {
  kind: "downcall" | "deliver" | "upcall";
  from: string;
  to: string;
  /** For an upcall: the event named. */
  event?: string;
}

/** Bytes one layer added (going down) or removed (going up). */
export interface LayerBytes {
  layer: string;
  headerBytes: number;
}

/** Options of {@link ProtocolStack}. */
export interface ProtocolStackOptions {
  /** Layers from the top (application) to the bottom (link). At least one. */
  layers: Layer[];
  /** Default `"pure"`. */
  organisation?: LayerOrganisation;
  /** Who owns the stack, for error messages. */
  owner?: string;
}

/** Options of `stack.down`. */
export interface DownOptions {
  /** The layer the message enters at (default: the top one). */
  from?: string;
  /** Layers to skip on the way down: allowed only in the `"mixed"` organisation. */
  skip?: string[];
}

/** What `stack.down` returns. */
export interface DownResult {
  /** The frame the bottom layer puts on the wire. */
  frame: LayeredFrame;
  /** Header bytes each layer added, top first. */
  added: LayerBytes[];
  /** Bytes of the payload alone. */
  payloadBytes: number;
  /** Bytes of the whole frame. */
  frameBytes: number;
}

/** What `stack.up` returns. */
export interface UpResult {
  payload: unknown;
  /** Header bytes each layer removed, bottom first. */
  removed: LayerBytes[];
}

/**
 * A call that breaks the stack's organisation (e.g. a skipped layer in a pure stack).
 *
 * @example
 * new ProtocolStack({ layers: internetLayers() }).down("x", { skip: ["transport"] }); // throws LayeringViolation
 */
export class LayeringViolation extends SimulationError {
  constructor(text: string) {
    super(text, {});
    this.name = "LayeringViolation";
  }
}

/** JSON size in UTF-8 bytes. */
function bytesOf(value: unknown): number {
  return Buffer.byteLength(JSON.stringify(value ?? null));
}

/**
 * A layered protocol stack on one node: `down` wraps a payload in one header per layer, `up`
 * unwraps a frame, `upcall` lets a lower layer notify the next higher one. Calls that break the
 * organisation throw {@link LayeringViolation}; every call is appended to `calls`.
 *
 * @example
 * // lecture 001, "Layered Communication Protocol": each layer adds its header on the way down
 * const stack = new ProtocolStack({ layers: internetLayers() });
 * const { frame, added } = stack.down({ get: "/index.html" });
 * added; // [{ layer: "application", headerBytes: … }, …, { layer: "link", headerBytes: … }]
 * new ProtocolStack({ layers: internetLayers() }).up(frame).payload; // { get: "/index.html" }
 */
export class ProtocolStack {
  readonly layers: readonly Layer[];
  readonly organisation: LayerOrganisation;
  /** Every call made through this stack, in order. */
  readonly calls: LayerCall[] = [];
  private readonly owner: string;
  private readonly upcallHandlers = new Map<string, (event: string, data: unknown) => void>();

  constructor(options: ProtocolStackOptions) {
    this.owner = options.owner ?? "stack";
    if (!Array.isArray(options.layers) || options.layers.length === 0) throw new LayeringViolation(`${this.owner}: a stack needs at least one layer`);
    const names = options.layers.map((l) => l.name);
    if (new Set(names).size !== names.length) throw new LayeringViolation(`${this.owner}: layer names must be distinct, got ${names.join(", ")}`);
    this.layers = options.layers;
    this.organisation = options.organisation ?? "pure";
    if (!["pure", "mixed", "upcalls"].includes(this.organisation)) throw new LayeringViolation(`${this.owner}: organisation must be "pure", "mixed" or "upcalls", got ${JSON.stringify(this.organisation)}`);
  }

  private indexOf(name: string): number {
    const i = this.layers.findIndex((l) => l.name === name);
    if (i < 0) throw new LayeringViolation(`${this.owner}: no layer "${name}" (layers: ${this.layers.map((l) => l.name).join(", ")})`);
    return i;
  }

  /**
   * Send `payload` down from layer `from` (default the top): each layer not skipped wraps it in
   * its header and calls the next layer down. Returns the frame and the bytes each layer added.
   *
   * @example
   * const mixed = new ProtocolStack({ layers: internetLayers(), organisation: "mixed" });
   * mixed.down("ping", { skip: ["transport"] }).added.map((b) => b.layer); // ["application", "network", "link"]
   */
  down(payload: unknown, options: DownOptions = {}): DownResult {
    const start = this.indexOf(options.from ?? this.layers[0].name);
    const skip = new Set(options.skip ?? []);
    for (const name of skip) this.indexOf(name);
    if (skip.size > 0 && this.organisation !== "mixed") {
      throw new LayeringViolation(`${this.owner}: a ${this.organisation} stack calls only the next lower layer; skipping ${[...skip].join(", ")} needs the "mixed" organisation`);
    }
    if (skip.has(this.layers[start].name)) throw new LayeringViolation(`${this.owner}: the message cannot enter at a skipped layer "${this.layers[start].name}"`);
    if (skip.has(this.layers[this.layers.length - 1].name)) throw new LayeringViolation(`${this.owner}: the bottom layer "${this.layers[this.layers.length - 1].name}" puts the frame on the wire and cannot be skipped`);
    const path = this.layers.slice(start).filter((l) => !skip.has(l.name));
    let unit: unknown = payload;
    const added: LayerBytes[] = [];
    for (let i = 0; i < path.length; i++) {
      const layer = path[i];
      const before = bytesOf(unit);
      const frame: LayeredFrame = { layer: layer.name, header: layer.header?.(unit) ?? {}, sdu: unit };
      added.push({ layer: layer.name, headerBytes: bytesOf(frame) - before });
      unit = frame;
      this.calls.push({ kind: "downcall", from: layer.name, to: i + 1 < path.length ? path[i + 1].name : "wire" });
    }
    return { frame: unit as LayeredFrame, added, payloadBytes: bytesOf(payload), frameBytes: bytesOf(unit) };
  }

  /**
   * Take a frame from the wire up the stack: each layer whose header is outermost removes it and
   * delivers the rest upward. In a pure stack every layer must find its own header (a frame sent
   * by a mixed stack that skipped a layer is rejected); a mixed stack lets absent layers pass.
   *
   * @example
   * const sender = new ProtocolStack({ layers: internetLayers() });
   * const receiver = new ProtocolStack({ layers: internetLayers() });
   * receiver.up(sender.down({ q: 1 }).frame).removed.length; // 4
   */
  up(frame: LayeredFrame): UpResult {
    let unit: unknown = frame;
    const removed: LayerBytes[] = [];
    let below = "wire";
    for (let i = this.layers.length - 1; i >= 0; i--) {
      const layer = this.layers[i];
      const f = unit as LayeredFrame;
      const isFrame = f !== null && typeof f === "object" && typeof f.layer === "string" && "sdu" in f;
      if (!isFrame || f.layer !== layer.name) {
        if (this.organisation === "mixed") continue;
        throw new LayeringViolation(`${this.owner}: layer "${layer.name}" expected its header, found ${isFrame ? `the header of "${f.layer}"` : "no header"} (a ${this.organisation} stack cannot skip layers)`);
      }
      removed.push({ layer: layer.name, headerBytes: bytesOf(f) - bytesOf(f.sdu) });
      this.calls.push({ kind: "deliver", from: below, to: layer.name });
      below = layer.name;
      unit = f.sdu;
    }
    return { payload: unit, removed };
  }

  /**
   * Layer `layer` subscribes to upcalls from the layer directly below it.
   *
   * @example
   * stack.onUpcall("application", (event, data) => console.log(event, data));
   */
  onUpcall(layer: string, handler: (event: string, data: unknown) => void): void {
    const i = this.indexOf(layer);
    if (i === this.layers.length - 1) throw new LayeringViolation(`${this.owner}: the bottom layer "${layer}" has no layer below to call it up`);
    this.upcallHandlers.set(layer, handler);
  }

  /**
   * Layer `from` notifies the next higher layer of `event` (organisation C, lecture 001: the OS
   * signalling that a handle is ready). Only in the `"upcalls"` organisation; returns whether a
   * handler was subscribed.
   *
   * @example
   * const stack = new ProtocolStack({ layers: internetLayers(), organisation: "upcalls" });
   * stack.onUpcall("application", (event) => console.log("ready:", event));
   * stack.upcall("transport", "data_available", { bytes: 120 }); // true
   */
  upcall(from: string, event: string, data?: unknown): boolean {
    const i = this.indexOf(from);
    if (this.organisation !== "upcalls") throw new LayeringViolation(`${this.owner}: "${from}" called up, but a ${this.organisation} stack has no upcalls (lower layers must not contact upper ones)`);
    if (i === 0) throw new LayeringViolation(`${this.owner}: the top layer "${from}" has no layer above to call`);
    const above = this.layers[i - 1].name;
    this.calls.push({ kind: "upcall", from, to: above, event });
    const handler = this.upcallHandlers.get(above);
    handler?.(event, data);
    return handler !== undefined;
  }
}

/**
 * Four layers shaped like TCP/IP's (lecture 001 names five; the physical layer adds no header):
 * application, transport, network, link, with small plausible headers.
 *
 * @example
 * internetLayers().map((l) => l.name); // ["application", "transport", "network", "link"]
 */
export function internetLayers(): Layer[] {
  return [
    { name: "application", header: () => ({ proto: "http/1.1", contentType: "application/json" }) },
    { name: "transport", header: () => ({ srcPort: 49152, dstPort: 80, seq: 1, ack: 0, window: 65535 }) },
    { name: "network", header: () => ({ src: "10.0.0.1", dst: "10.0.0.2", ttl: 64, proto: 6 }) },
    { name: "link", header: (sdu) => ({ srcMac: "02:00:00:00:00:01", dstMac: "02:00:00:00:00:02", crc: bytesOf(sdu) % 65536 }) },
  ];
}

/** Options of {@link stackNode}. */
export interface StackNodeOptions {
  layers: Layer[];
  organisation?: LayerOrganisation;
  /** Called with each payload that reached the top of this node's stack. */
  onDeliver?: (src: string, payload: unknown, removed: LayerBytes[]) => void;
}

/** What {@link stackNode} returns. */
export interface StackNode {
  readonly stack: ProtocolStack;
  /** Send `payload` down this node's stack and over the network to `dest` (as `stack_frame`). */
  send(dest: string, payload: unknown, options?: DownOptions): DownResult;
  /** Payloads that came up this node's stack. */
  readonly received: { src: string; payload: unknown; removed: LayerBytes[] }[];
}

/**
 * Put a protocol stack on a node: `send` runs a payload down it and ships the frame as a
 * `{ type: "stack_frame", frame }` message; an arriving frame runs up the receiver's stack.
 *
 * @example
 * let a!: StackNode;
 * sim.spawn("a", (node) => { a = stackNode(node, { layers: internetLayers() }); });
 * sim.spawn("b", (node) => { stackNode(node, { layers: internetLayers(), onDeliver: (src, p) => node.log(String(p)) }); });
 * a.send("b", "hello");
 */
export function stackNode(node: Node, options: StackNodeOptions): StackNode {
  const stack = new ProtocolStack({ layers: options.layers, organisation: options.organisation, owner: `node "${node.id}"` });
  const received: StackNode["received"] = [];
  node.on("stack_frame", (message: Message) => {
    const { payload, removed } = stack.up(message.body.frame as LayeredFrame);
    received.push({ src: message.src, payload, removed });
    options.onDeliver?.(message.src, payload, removed);
  });
  return {
    stack,
    received,
    send(dest, payload, downOptions) {
      const result = stack.down(payload, downOptions);
      node.send(dest, { type: "stack_frame", frame: result.frame });
      return result;
    },
  };
}

/** Options of {@link measureLayering}. */
export interface MeasureLayeringOptions {
  /** Default {@link internetLayers}. */
  layers?: Layer[];
  payload: unknown;
  organisation?: LayerOrganisation;
  skip?: string[];
  seed?: number;
}

/** What {@link measureLayering} reports. */
export interface LayeringMeasurement {
  /** Header bytes each layer added on the sending node, top first. */
  added: LayerBytes[];
  /** Header bytes each layer removed on the receiving node, bottom first. */
  removed: LayerBytes[];
  payloadBytes: number;
  /** Bytes of the frame body on the wire (the frame alone, without the message envelope). */
  frameBytes: number;
  /** Bytes the simulator counted for the message (`stack_frame` body with its `msg_id`). */
  wireBytes: number;
  /** `frameBytes / payloadBytes`. */
  overheadRatio: number;
  /** Whether the payload came out equal at the top of the receiver's stack. */
  delivered: boolean;
}

/**
 * Run one message through identical stacks on two nodes ("a" → "b") and report the bytes each
 * layer added and removed: the layered style's cost (lecture 000, cons: "Performance Overhead").
 *
 * @example
 * const m = await measureLayering({ payload: { q: "distributed systems" } });
 * m.added;          // header bytes per layer
 * m.overheadRatio;  // frame bytes / payload bytes
 */
export async function measureLayering(options: MeasureLayeringOptions): Promise<LayeringMeasurement> {
  const layers = options.layers ?? internetLayers();
  const sim = new Simulation({ seed: options.seed ?? 1, network: { latency: latency.constant(1) } });
  let a!: StackNode;
  let b!: StackNode;
  sim.spawn("a", (node) => { a = stackNode(node, { layers, organisation: options.organisation }); });
  sim.spawn("b", (node) => { b = stackNode(node, { layers, organisation: options.organisation }); });
  const sent = a.send("b", options.payload, { skip: options.skip });
  await sim.runFor(10);
  const got = b.received[0];
  const wire = sim.trace.events.find((e) => e.kind === "send");
  return {
    added: sent.added,
    removed: got?.removed ?? [],
    payloadBytes: sent.payloadBytes,
    frameBytes: sent.frameBytes,
    wireBytes: wire !== undefined && wire.kind === "send" ? wire.bytes : 0,
    overheadRatio: sent.frameBytes / sent.payloadBytes,
    delivered: got !== undefined && JSON.stringify(got.payload) === JSON.stringify(options.payload),
  };
}
