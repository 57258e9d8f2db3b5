/**
 * Messages use Maelstrom's envelope (Jepsen's workbench), so node code written here can later run
 * under Maelstrom: `{ src, dest, body: { type, msg_id?, in_reply_to?, ...fields } }`.
 * Bodies must be JSON: the network sends a JSON copy, so sender and receiver never share objects.
 */

/** A message body: a `type`, optional ids that pair requests with replies, and any JSON fields. */
export interface Body {
  /** Message type; a node registers one handler per type. */
  type: string;
  /** Sender-assigned id, unique per sending node (the simulator assigns one if missing). */
  msg_id?: number;
  /** In a reply: the `msg_id` of the request it answers. */
  in_reply_to?: number;
  // Other fields are free-form JSON, e.g. `{ type: "echo", echo: "hi" }`.
  [field: string]: any;
}

/** A message as a handler receives it (`Message<BodyOf<Msgs, "ping">>` for a typed one). */
export interface Message<B extends Body = Body> {
  /** Id of the sending node. */
  src: string;
  /** Id of the receiving node. */
  dest: string;
  body: B;
}

// ---- typed messages ---------------------------------------------------------------------------
//
// Declare a protocol's messages once, as a map from each body `type` to the body's other fields
// (an event map, as in mitt's `Emitter<Events>`), and give it to `sim.spawn<Msgs>`:
//
//   type Msgs = { ping: { n: number }; pong: { n: number } };
//   sim.spawn<Msgs>("b", (node) => node.on("ping", (m) => node.reply(m, { type: "pong", n: m.body.n })));
//
// Then `m.body.n` is a number without a cast, and `send`, `reply`, `rpc`, `multicast` and
// `broadcast` check each body against its type. A node without a map (`Node`, which is
// `Node<any>`) is untyped, as before: any type, any fields.

/** True when `M` is `any` (an untyped node). */
type IsAny<M> = 0 extends 1 & M ? true : false;

/**
 * The message types of a map: `MessageTypes<{ ping: {...}; pong: {...} }>` is `"ping" | "pong"`;
 * any string for an untyped node.
 */
export type MessageTypes<M> = IsAny<M> extends true ? string : keyof M & string;

/**
 * The body of message type `T` in map `M`: `{ type: T, msg_id?, in_reply_to? }` and `M[T]`'s
 * fields; `Body` for an untyped node.
 *
 * @example
 * type Msgs = { ping: { n: number } };
 * const body: BodyOf<Msgs, "ping"> = { type: "ping", n: 1 };
 */
export type BodyOf<M, T extends MessageTypes<M>> = IsAny<M> extends true
  ? Body
  : { type: T; msg_id?: number; in_reply_to?: number } & M[T & keyof M];

/**
 * Any body of map `M`: the union of `BodyOf<M, T>` over its types, so `type` decides which fields
 * a body must have; `Body` for an untyped node.
 *
 * @example
 * type Msgs = { ping: { n: number }; pong: { n: number } };
 * const body: BodiesOf<Msgs> = { type: "pong", n: 2 };
 */
export type BodiesOf<M> = IsAny<M> extends true ? Body : { [T in keyof M & string]: BodyOf<M, T> }[keyof M & string];
