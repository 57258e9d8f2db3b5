// One benchmark measurement per process (clean heap and JIT state), printed as one JSON line.
// Usage: node --expose-gc --import tsx bench/part.ts <forwarding|invariants|timers|rpc|idle|heap|message|queue> [count] [trace on|off] [nodes or invariants] [eventsMax]
import { asyncRpc, bareHeap, eventQueue, forwarding, idleNodes, messageBaseline, timersAndMessages, type Measurement } from "./workloads";

async function main(): Promise<Measurement> {
  const [what, countText, traceText, nodesText, eventsMaxText] = process.argv.slice(2);
  const count = Number(countText ?? 1_000_000);
  const trace = traceText === "on";
  switch (what) {
    case "forwarding":
      return forwarding(count, trace, Number(nodesText ?? 100), eventsMaxText === undefined ? undefined : Number(eventsMaxText));
    case "invariants":
      return forwarding(count, trace, 100, undefined, Number(nodesText ?? 1));
    case "timers":
      return timersAndMessages(count, trace);
    case "rpc":
      return asyncRpc(count, trace);
    case "idle":
      return idleNodes(count);
    case "heap":
      return bareHeap(count);
    case "message":
      return messageBaseline(count);
    case "queue":
      return eventQueue(count);
    default:
      throw new Error(`unknown benchmark part ${JSON.stringify(what)}`);
  }
}

main().then(
  (m) => console.log(JSON.stringify(m)),
  (err) => {
    console.error(err);
    process.exit(1);
  },
);
