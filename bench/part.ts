// One benchmark measurement per process (clean heap and JIT state), printed as one JSON line.
// Usage: node --expose-gc --import tsx bench/part.ts <forwarding|timers|rpc|idle|heap|queue> [count] [trace on|off]
import { asyncRpc, bareHeap, eventQueue, forwarding, idleNodes, timersAndMessages, type Measurement } from "./workloads";

async function main(): Promise<Measurement> {
  const [what, countText, traceText] = process.argv.slice(2);
  const count = Number(countText ?? 1_000_000);
  const trace = traceText === "on";
  switch (what) {
    case "forwarding":
      return forwarding(count, trace);
    case "timers":
      return timersAndMessages(count, trace);
    case "rpc":
      return asyncRpc(count, trace);
    case "idle":
      return idleNodes(count);
    case "heap":
      return bareHeap(count);
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
