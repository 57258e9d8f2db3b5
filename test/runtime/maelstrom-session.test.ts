// Scripted Maelstrom sessions against real `distlab-node` processes: the whole script is written to
// stdin, stdin is closed, and the replies are checked line by line. Real processes (start-up is
// most of each test's time), so few tests, bounded by timeouts, no retries.
import { describe, expect, it } from "vitest";
import { NodeProcess, initMessage, type OutLine } from "../../runtime/node-process";
import { ERROR_CODES } from "../../runtime/maelstrom";

const TIMEOUT_MS = 15_000;

/** Feed `script` to a fresh node process, close stdin, return what it wrote. */
async function session(args: string[], script: (object | string)[]): Promise<{ out: OutLine[]; code: number | null; stderr: string }> {
  const p = NodeProcess.start(args);
  for (const line of script) p.send(line);
  const end = await p.end();
  return { out: p.lines, code: end.code, stderr: end.stderr };
}

/** Only the fields a test cares about (msg_ids the node picks are checked separately). */
function shape(line: OutLine): object {
  const { msg_id, ...body } = line.body;
  return { src: line.src, dest: line.dest, body };
}

const request = (src: string, body: object): object => ({ src, dest: "n1", body });

describe("a Maelstrom session with one node process", () => {
  it("echo: init, echo requests, an unknown type and a malformed line, answered line by line", async () => {
    const { out, code, stderr } = await session(["solutions/00-getting-started/echo.ts", "echoServer", "--seed", "1"], [
      initMessage("n1", ["n1"]),
      request("c1", { type: "echo", msg_id: 1, echo: "hello" }),
      "{ this is not json",
      request("c2", { type: "echo", msg_id: 1, echo: "ünïcode ✓" }),
      request("c1", { type: "frobnicate", msg_id: 2 }),
      '{"src":"c1","dest":"n1","body":{"msg_id":3}}',
      request("c1", { type: "echo", msg_id: 4, echo: "still alive" }),
    ]);
    expect(out.map(shape)).toEqual([
      { src: "n1", dest: "c0", body: { type: "init_ok", in_reply_to: 1 } },
      { src: "n1", dest: "c1", body: { type: "echo_ok", echo: "hello", in_reply_to: 1 } },
      { src: "n1", dest: "c2", body: { type: "echo_ok", echo: "ünïcode ✓", in_reply_to: 1 } },
      {
        src: "n1",
        dest: "c1",
        body: { type: "error", code: ERROR_CODES.notSupported, text: 'node n1 does not handle message type "frobnicate" (it handles: echo)', in_reply_to: 2 },
      },
      { src: "n1", dest: "c1", body: { type: "echo_ok", echo: "still alive", in_reply_to: 4 } },
    ]);
    // the node numbers its own messages 1, 2, 3, … (unique per sender, as Maelstrom asks)
    expect(out.map((l) => l.body.msg_id)).toEqual([1, 2, 3, 4, 5]);
    expect(code).toBe(0);
    expect(stderr).toContain("stdin line 3 is not a Maelstrom message: not valid JSON");
    expect(stderr).toContain('stdin line 6 is not a Maelstrom message: the body has no "type"');
  }, TIMEOUT_MS);

  it("g-set: adds then a read of every element; a request before init is refused with error 11", async () => {
    const { out, code } = await session(["runtime/examples/g-set.ts", "gSetNode"], [
      request("c1", { type: "read", msg_id: 9 }),
      initMessage("n1", ["n1"]),
      request("c1", { type: "add", msg_id: 1, element: 3 }),
      request("c2", { type: "add", msg_id: 1, element: { a: 1 } }),
      request("c1", { type: "add", msg_id: 2, element: 3 }),
      request("c1", { type: "read", msg_id: 3 }),
    ]);
    expect(out.map(shape)).toEqual([
      { src: "n1", dest: "c1", body: { type: "error", code: ERROR_CODES.temporarilyUnavailable, text: "this node has not received init yet", in_reply_to: 9 } },
      { src: "n1", dest: "c0", body: { type: "init_ok", in_reply_to: 1 } },
      { src: "n1", dest: "c1", body: { type: "add_ok", in_reply_to: 1 } },
      { src: "n1", dest: "c2", body: { type: "add_ok", in_reply_to: 1 } },
      { src: "n1", dest: "c1", body: { type: "add_ok", in_reply_to: 2 } },
      { src: "n1", dest: "c1", body: { type: "read_ok", value: [3, { a: 1 }], in_reply_to: 3 } },
    ]);
    expect(code).toBe(0);
  }, TIMEOUT_MS);

  it("g-counter: adds then a read of their sum; a bad delta is a malformed request (error 12)", async () => {
    const { out, code } = await session(["runtime/examples/g-counter.ts", "gCounterNode", "--options", '{"gossipMs":50}'], [
      initMessage("n1", ["n1"]),
      request("c1", { type: "add", msg_id: 1, delta: 3 }),
      request("c1", { type: "add", msg_id: 2, delta: -1 }),
      request("c2", { type: "add", msg_id: 1, delta: 4 }),
      request("c1", { type: "read", msg_id: 3 }),
    ]);
    expect(out.map(shape)).toEqual([
      { src: "n1", dest: "c0", body: { type: "init_ok", in_reply_to: 1 } },
      { src: "n1", dest: "c1", body: { type: "add_ok", in_reply_to: 1 } },
      { src: "n1", dest: "c1", body: { type: "error", code: ERROR_CODES.malformedRequest, text: "add: delta must be a non-negative integer, got -1", in_reply_to: 2 } },
      { src: "n1", dest: "c2", body: { type: "add_ok", in_reply_to: 1 } },
      { src: "n1", dest: "c1", body: { type: "read_ok", value: 7, in_reply_to: 3 } },
    ]);
    expect(code).toBe(0);
  }, TIMEOUT_MS);
});
