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

/** A message as a handler receives it. */
export interface Message<B extends Body = Body> {
  /** Id of the sending node. */
  src: string;
  /** Id of the receiving node. */
  dest: string;
  body: B;
}
