/**
 * Every graded exercise, declared once: id, notebook, file, points, hint and the seeds its grader
 * runs. The graders (`test/NN-*.test.ts`), the scoreboard and the notebooks read this list.
 *
 * To add an exercise: add an entry here, a stub in `exercises/<module>.ts` that throws
 * `NotImplementedError`, the reference in `solutions/<module>.ts` (same exports), a check
 * `check(impl, seed)` in `test/grading/<notebook>/`, one `gradeExercise(id, check)` line in
 * `test/<notebook>.test.ts`, and buggy variants in `test/fixtures/buggy/` that the check must reject.
 */

/** One graded exercise. */
export interface Exercise {
  /** Notebook number and position, e.g. `"00.1"`. */
  id: string;
  /** The notebook it belongs to, e.g. `"00-getting-started"` (also the grader's file name). */
  notebook: string;
  /** Short name used in test names and file names, e.g. `"ping-pong"`. */
  slug: string;
  /** One line saying what the student builds. */
  title: string;
  /** Module path under `exercises/` and `solutions/`, without extension. */
  module: string;
  /** Points for passing every seed. */
  points: number;
  /** Printed with every failure of this exercise. */
  hint: string;
  /** The fixed seeds the grader runs every scenario with. */
  seeds: readonly number[];
}

/** The seeds most graders use: a failing grader names the one that failed, and replays it exactly. */
export const DEFAULT_SEEDS: readonly number[] = [1, 7, 42, 2024, 31337];

/** All exercises, in notebook order. */
export const EXERCISES: readonly Exercise[] = [
  {
    id: "00.1",
    notebook: "00-getting-started",
    slug: "ping-pong",
    title: "a pinger and a ponger play a given number of rounds",
    module: "00-getting-started/ping-pong",
    points: 10,
    hint:
      'The ponger answers with node.reply(ping, { type: "pong", n: ping.body.n }): reply sends to the ' +
      "ping's src and sets in_reply_to, and n comes from the ping (the grader's own pingers send n and " +
      "msg_id values you cannot guess). The pinger sends ping n=1 to the peer it was given when it starts " +
      "(other nodes run too, so node.peers()[0] may be someone else) and every later ping from its " +
      '"pong" handler (a for-loop would send all pings before any pong arrives). When pong n=rounds ' +
      'arrives, call node.setState("done"), and send nothing more.',
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "00.2",
    notebook: "00-getting-started",
    slug: "echo",
    title: "an echo server, and a client that gets its echo through 30% message loss",
    module: "00-getting-started/echo",
    points: 10,
    hint:
      'Server: node.reply(request, { type: "echo_ok", echo: request.body.echo }) answers the node that ' +
      "asked and sets in_reply_to; remember nothing, so every copy of a request (a duplicate, or a retry " +
      "with the same msg_id) gets its answer. Client: one node.rpc(server, { type: \"echo\", echo: text }, " +
      "{ timeoutMs, retries }) waits and resends for you; a round trip takes at most 30 ms here and fails " +
      "about half the time, so all of 1 + retries attempts fail with probability 0.51^(1 + retries). The " +
      "grader makes 405 calls: with 20 retries the chance that any of them fails is about 1 in 3,000, " +
      "with 4 retries it is a near certainty. Return reply.body.echo, the text from the reply.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "01.1",
    notebook: "01-why-distributed",
    slug: "perfect-link",
    title: "a perfect link: every message delivered exactly once over loss, duplication, reordering and a receiver's restart",
    module: "01-why-distributed/perfect-link",
    points: 15,
    hint:
      'Sender: give each message an id you never use again, also after a restart (keep a counter in node.storage, ' +
      'or put node.incarnation into the id), send { type: "pl_data", id, payload } to dest and again every 50 ms ' +
      "(node.setPeriodic) until a pl_ack with that id comes back from dest; then cancel the timer and send that id " +
      "no more. Keep the same id on every retransmission. Receiver: answer every pl_data copy with " +
      'node.send(message.src, { type: "pl_ack", id }) (the first ack may be lost), but call deliver(src, payload) only ' +
      "the first time you see the pair (src, id): remember it in node.storage, which survives a crash (a Set in memory " +
      "does not), and key it by src and id together (two senders use the same ids; ids are not sequential, so " +
      '"highest id seen" is not enough). The grader runs 3 scenarios × 27 trials × 5 seeds with 20% loss and 20% ' +
      "duplication, crashing your receiver mid-run and your sender between batches.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "01.2",
    notebook: "01-why-distributed",
    slug: "crashed-or-slow",
    title: "a client that tells a crashed server from a slow or lossy one, with a timeout",
    module: "01-why-distributed/crashed-or-slow",
    points: 15,
    hint:
      'Call node.setState("alive") at once, ping the server every 50–100 ms with node.setPeriodic (whether the last ' +
      "ping was answered or not), note node.now() whenever a pong arrives (and set \"alive\"), and at each tick declare " +
      '"crashed" when the last pong is older than a silence S. Choose S from the numbers: a round trip takes up to 500 ms ' +
      "in a slow period, so S must be well above 500 ms; in a lossy period a ping goes unanswered with probability 0.51, " +
      "so S must span many pings (with a ping every 50 ms and S = 1500 ms, about 20 pings must all fail: 0.51^20 ≈ 10⁻⁶); " +
      "and a crash must be detected within 2000 ms, so S plus one ping interval must stay below about 1900 ms. The grader " +
      "runs 250 trials and tolerates a false \"crashed\" in at most 1 of the 50 trials of each seed.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "02.1",
    notebook: "02-infrastructure",
    slug: "least-connections",
    title: "a load balancer that forwards each request to the backend with the fewest outstanding requests",
    module: "02-infrastructure/least-connections",
    points: 15,
    hint:
      "Keep one counter per backend: +1 when you forward a request to it, −1 when that backend's response " +
      "reaches you, and forward each request to a backend whose counter is smallest (ties: any). Forward with " +
      'await node.rpc(backend, { type: "request", payload }, { timeoutMs: 60000 }) — a slow backend may take a few ' +
      "hundred ms — so the response is paired with its forward and the counter you decrement is the chosen " +
      'backend\'s, then node.reply(clientRequest, { type: "response", result: response.body.result }). Never reply ' +
      "to the backend's message, and never key requests by msg_id alone: two clients may use the same msg_id.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "02.2",
    notebook: "02-infrastructure",
    slug: "caching-proxy",
    title: "a caching proxy that never serves a value fetched more than ttlMs ago, and still hits often",
    module: "02-infrastructure/caching-proxy",
    points: 15,
    hint:
      "Keep one Map from key to { value, fetchedAtMs }, shared by all clients. On a get, serve the entry if " +
      "node.now() − fetchedAtMs ≤ ttlMs; otherwise await node.rpc(origin, { type: \"read\", key }), store the value " +
      "with fetchedAtMs = node.now() (when the read_ok arrived), and node.reply(get, { type: \"get_ok\", key, value }). " +
      "A hit must not make the entry younger, and an expired entry must not be served while a fresh read is on its way. " +
      "Keep the key in a local variable of the handler (a variable shared by all handlers is overwritten while a read " +
      "is in flight). The hit ratio must reach the ideal cache's ratio minus 0.17: the ideal gets 0.51–0.78 on the " +
      "grader's workload, the reference falls at most 0.11 short of it, a cache per client 0.24–0.45.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "02.3",
    notebook: "02-infrastructure",
    slug: "task-farm",
    title: "a master that farms tasks out to workers that crash, straggle and answer twice, and the worker",
    module: "02-infrastructure/task-farm",
    points: 15,
    hint:
      "Worker: node.reply(task, { type: \"result\", id: task.body.id, output: task.body.input * task.body.input }) for " +
      "every task message, remembering nothing. Master: keep a queue of tasks without a result; give one to each idle " +
      "worker (node.send with a msg_id of your own) and start node.setTimer(150, …) for it; when the timer fires with no " +
      "result, put the task back in the queue for another worker: the grader's crashing workers never answer, its slow " +
      "one takes 250–600 ms. Keep a result only if its task has none yet (results come twice, and late), resolve when " +
      "every task has one, then cancel every timer: the grader runs 1 s more and fails any message sent after you " +
      "returned (node.rpc with retries would go on resending).",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "03.1",
    notebook: "03-interaction-patterns",
    slug: "topic-broker",
    title: "a publish/subscribe broker that keeps each publisher's order on an unordered network",
    module: "03-interaction-patterns/topic-broker",
    points: 15,
    hint:
      "Keep a Map topic → Set of subscriber ids (a Set makes a second subscribe harmless; unsubscribe " +
      "deletes). Per publisher (the publish's src) keep next, the seq you release next (set it from the " +
      "publish with first: true; the grader starts each publisher somewhere in 100–99,999), and a Map " +
      "seq → held message. On every publish: store it, then while held has next, release it and next++. " +
      "Release = send { type: \"event\", topic, publisher: src, seq, payload } to every id in the topic's " +
      "set at that moment. Never drop an early message and never send it before the gap is filled: with " +
      "publishes 0–8 ms apart and 5–15 ms latency, about one publish in five arrives before the one sent just before it.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "03.2",
    notebook: "03-interaction-patterns",
    slug: "contract-net",
    title: "the initiator of the FIPA Contract Net: call for proposals, award the lowest bid before the deadline",
    module: "03-interaction-patterns/contract-net",
    points: 15,
    hint:
      "Register the propose, refuse, inform-done and failure handlers, then node.send one { type: \"cfp\", task } " +
      "to each id in contractors (never node.broadcast). Decide when node.setTimer(deadlineMs, …) fires or when " +
      "proposals + refusals reach contractors.length, whichever comes first (cancel the timer); a quarter of the " +
      "grader's 135 calls have everyone answering long before the deadline. From then on, reply to every propose " +
      "with reject-proposal at once (late bids arrive 20 ms or more after the deadline, also after you returned). " +
      "Best = lowest body.bid; on equal bids the smaller contractors.indexOf(src). node.reply(best, " +
      "{ type: \"accept-proposal\" }), reject-proposal to the other on-time bidders, then await the winner's " +
      "inform-done (→ done, result = body.result) or failure (→ failed, no second award). No on-time bid: return " +
      "{ status: \"no-proposals\" } at once.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "03.3",
    notebook: "03-interaction-patterns",
    slug: "reliable-broadcast",
    title: "eager reliable broadcast: every correct member delivers the same messages, even when a sender crashes midway",
    module: "03-interaction-patterns/reliable-broadcast",
    points: 15,
    hint:
      "Keep a Set of the messages you have seen, keyed JSON.stringify([origin, seq]) — not the payload (one origin " +
      "may broadcast the same payload twice) and not seq alone (every origin counts from 0). broadcast(payload): " +
      "seq = counter++, add (node.id, seq), send { type: \"rb\", origin: node.id, seq, payload } to every member of " +
      "group but yourself, deliver(node.id, payload). On rb: seen before → ignore; else add it, send the same body to " +
      "every other member of group, deliver(origin, payload). With 5 members that is 4 sends per node per message, " +
      "never more. The grader crashes a node right after its k-th node.send: in 80% of the runs of your group one " +
      "member does (mostly an origin in the middle of its loop), and in 85% of the runs among its members the grader's origin reaches only your node — members that do " +
      "not relay then get the message from you alone.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "04.1",
    notebook: "04-architectural-styles",
    slug: "tuple-space",
    title: "a Linda tuple space: out, rd and in, with blocked requests served when a matching tuple arrives",
    module: "04-architectural-styles/tuple-space",
    points: 15,
    hint:
      "Keep an array of tuples (a multiset: the same tuple may be put twice) and an array of waiting request messages. " +
      "match(pattern, tuple) = same length and every non-null field equal. On out: reply out_ok, then walk the waiting " +
      "requests in arrival order: a matching rd gets node.reply(rd, { type: \"rd_ok\", tuple }) and leaves the list; the " +
      "first matching in gets in_ok and takes the tuple (stop there, do not store it); otherwise push the tuple. On rd/in: " +
      "find a matching tuple; rd replies and keeps it, in replies and removes it; none → push the message onto the waiting " +
      "list (never drop it). Reply with node.reply, never to node.peers()[0]: the grader's clients reuse each other's msg_ids.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "04.2",
    notebook: "04-architectural-styles",
    slug: "stub-skeleton",
    title: "remote objects: a skeleton that invokes methods for remote callers, and a stub that makes a remote object look local",
    module: "04-architectural-styles/stub-skeleton",
    points: 15,
    hint:
      "Skeleton: node.on(\"invoke\", async (request) => …): fn = target[method]; typeof fn !== \"function\" → reply " +
      "{ type: \"error\", name: \"NoSuchMethodError\", message }; else try { value = await fn.apply(target, args) } (apply: this " +
      "is the target, the args spread; class methods live on the prototype, so no hasOwnProperty) and reply { type: \"result\", " +
      "value }; catch (e) → reply { type: \"error\", name: e.name, message: e.message }, never let it escape. Always node.reply(request, …). " +
      "Stub: return new Proxy({}, { get: (_, m) => m === \"then\" ? undefined : (...args) => call(m, args) }), where call awaits " +
      "node.rpc(server, { type: \"invoke\", method, args }, { timeoutMs, retries }) — it resends and throws RpcTimeoutError for you — " +
      "and turns an error reply into an Error with its name and message (throw it). Pass the retries you are given: the grader's " +
      "network loses 10% each way and its skeleton is sometimes slower than timeoutMs.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "04.3",
    notebook: "04-architectural-styles",
    slug: "idempotent-payment",
    title: "a payment handler that charges each idempotency key once, across retries, duplicates and a crash",
    module: "04-architectural-styles/idempotent-payment",
    points: 15,
    hint:
      "Store per key, in node.storage, { account, amount, balance } — the answer the first request got. On pay: a record " +
      "with another account or amount → reply { type: \"error\", code: \"key_reused\" }; the same → reply the stored balance " +
      "(never today's); none → balance = stored balance of the account + amount, storage.set the account's balance and the " +
      "key's record, storage.sync(), then node.reply(request, { type: \"pay_ok\", key, balance }). Keep nothing only in memory " +
      "(a restart forgets it, and a retry of a payment applied just before the crash is charged again), deduplicate by key, " +
      "not msg_id (each retry has a new msg_id), and never reply before sync(): the grader's crash loses unsynced writes.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "05.1",
    notebook: "05-integration-and-services",
    slug: "service-registry",
    title: "a service registry with leases: instances register and heartbeat, lookups list the live ones",
    module: "05-integration-and-services/registry",
    points: 15,
    hint:
      "Keep a Map service → Map instance → renewedMs. On register and on heartbeat (the same handler; a heartbeat " +
      "of an unknown instance registers it) set renewedMs = node.now() for (body.service, body.instance) — the " +
      "instance address from the body, not message.src — and node.reply(message, { type: \"ok\" }). On lookup, " +
      "list the instances of body.service with node.now() − renewedMs ≤ leaseMs, sort them, and " +
      "node.reply(lookup, { type: \"lookup_ok\", instances }). The lease runs from the last renewal (not the " +
      "register), counts time (not lookups), and is the leaseMs you were given (the grader draws 300–800 ms per " +
      "trial). An instance silent for more than leaseMs + 50 ms must be gone; one heard from less than leaseMs " +
      "ago must be listed.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "05.2",
    notebook: "05-integration-and-services",
    slug: "circuit-breaker",
    title: "a circuit breaker: open after consecutive failures, fail fast, one probe after openMs",
    module: "05-integration-and-services/circuit-breaker",
    points: 15,
    hint:
      "Keep state (\"closed\" at creation: node.setState(\"closed\")), failures (consecutive) and openedMs. " +
      "closed: await node.rpc(service, body, { timeoutMs }) (no retries); a reply of type \"error\" or a timeout is a " +
      "failure (failures++; at failuresToOpen: state open, openedMs = node.now()), any other reply a success " +
      "(failures = 0); return the reply, error replies too, and rethrow the timeout. open: while node.now() − " +
      "openedMs < openMs throw new CircuitOpenError(…) at once and send nothing; the first call after that sets " +
      "\"half-open\" and is the only request sent (calls meanwhile fail fast) — success: \"closed\", failures = 0; " +
      "failure: \"open\" again from now. Call node.setState on every change, with exactly these names.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "06.1",
    notebook: "06-time-and-concurrency",
    slug: "vector-clock",
    title: "a vector clock stamps every send and receive so that the stamps order events exactly as happened-before",
    module: "06-time-and-concurrency/vector-clock",
    points: 15,
    hint:
      "Keep vc: Record<string, number> (a missing entry is 0). send(dest, body): vc[node.id] += 1, then " +
      "node.send(dest, { ...body, vc: { ...vc } }) and report(\"send\", { ...vc }). On \"app\": for every entry k of " +
      "message.body.vc set vc[k] = max(vc[k] ?? 0, body.vc[k]), then vc[node.id] += 1, then report(\"receive\", { ...vc }). " +
      "Report a copy (the grader reads the vectors when the trial ends), merge before incrementing your own entry, " +
      "and key the entries by node id (not by position in node.peers(), which differs per node). The grader checks " +
      "every pair of events of 135 trials (3–4 of your nodes and one of its own, 5% loss and duplication, unordered links).",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "06.2",
    notebook: "06-time-and-concurrency",
    slug: "coordinator-mutex",
    title: "a central coordinator grants one lock at a time, in the order the requests arrived",
    module: "06-time-and-concurrency/coordinator-mutex",
    points: 15,
    hint:
      "Coordinator: holder = undefined and a FIFO queue of lock_request messages. On lock_request: if nobody holds the " +
      "lock, holder = message.src and node.reply(message, { type: \"lock_grant\" }); else queue.push(message). On " +
      "lock_release from the holder: take queue.shift() (the oldest, not pop()) and grant it with node.reply(request, …), " +
      "or set holder = undefined. Client: acquire() sends { type: \"lock_request\" } to coordinatorId and resolves only " +
      "when the lock_grant arrives; release() sends { type: \"lock_release\" } to coordinatorId. The grader runs 135 " +
      "trials, 3–5 clients, 2–4 acquisitions each, holding 5–40 ms; never two holders, every request granted, in arrival order.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "06.3",
    notebook: "06-time-and-concurrency",
    slug: "cristian",
    title: "a client keeps the server's time with Cristian's algorithm, with an error bound that always holds",
    module: "06-time-and-concurrency/cristian",
    points: 15,
    hint:
      "Every periodMs (and at once): id = node.send(server, { type: \"clock_request\" }) and remember t0 = node.clock() " +
      "under that id (a Map: replies come late and out of order). On clock_reply: t0 = sent.get(in_reply_to), " +
      "t1 = node.clock(), rtt = t1 − t0; the server's time at t1 is timeMs + rtt/2 within rtt/2 + ρ·rtt/(1−ρ) " +
      "(ρ = driftPpmMax/1e6). now(): elapsed = node.clock() − t1; timeMs = estimate + elapsed, errorMs = error + " +
      "ρ·elapsed/(1−ρ). Never node.now() (true simulator time is not the server's time). Keep the estimate whose " +
      "error is smaller now; errorMs must stay ≤ 100 ms from t=1000ms on (135 trials, drift up to 2%).",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "07.1",
    notebook: "07-failure-detection",
    slug: "heartbeat-detector",
    title: "a heartbeat failure detector: suspect a node silent for timeoutMs, trust it again when it speaks",
    module: "07-failure-detection/heartbeat-detector",
    points: 15,
    hint:
      "Keep lastMs per monitored id (start it at node.now() when the detector is created, so a node never heard from is " +
      "suspected too) and a Set of suspected ids. On a heartbeat from a monitored src (ignore any other src): lastMs = node.now(); " +
      "if it was suspected, delete it and report(src, false). Every 10 ms (node.setPeriodic(10, …), not a real timer) report(id, true) " +
      "for each unsuspected id with node.now() − lastMs > timeoutMs. Report changes only (never true twice in a row), only the ids " +
      "you were given (not node.peers(): the grader spawns bystanders), never before timeoutMs of silence (the grader's slow network " +
      "delays heartbeats to within 0.8 × timeoutMs of each other: 0 false suspicions allowed), and by 50 ms after it.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "07.2",
    notebook: "07-failure-detection",
    slug: "phi-accrual",
    title: "the φ accrual detector: φ = −log₁₀(1 − F(Δt)) from a window of inter-arrival times",
    module: "07-failure-detection/phi-accrual",
    points: 15,
    hint:
      "Keep the last windowSize intervals between consecutive heartbeats (drop the oldest; not all of them: the grader's streams " +
      "change rate halfway) and the last arrival. phi(now): 0 while there are no intervals; else mean μ, population standard " +
      "deviation (divide by n, not n − 1), σ = max(that, minStdMs), z = (now − last − μ)/σ, φ = −log₁₀(1 − F) with F the normal CDF: " +
      "1 − F = erfc(z/√2)/2 (an erf good to 1e-7 such as Abramowitz–Stegun 7.1.26 is enough; Akka's logistic formula is 12% off at z = 5). " +
      "log base 10, not Math.log. suspects(now, threshold) is phi(now) >= threshold. φ is checked to 0.05 + 3% while the formula gives ≤ 6.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "07.3",
    notebook: "07-failure-detection",
    slug: "retry-jitter",
    title: "retry with full jitter: random delays in [0, min(cap, base·2ⁿ)], bounded retries, the last error rethrown",
    module: "07-failure-detection/retry-jitter",
    points: 15,
    hint:
      "for (let n = 0; ; n++) { try { return await op(); } catch (error) { if (n === retriesMax) throw error; " +
      "await node.sleep(node.rng.uniform(0, Math.min(capMs, baseMs * 2 ** n))); } } — call op once, then at most " +
      "retriesMax more times (retriesMax + 1 calls in all), sleep before retry n+1 (n = 0 first) a delay drawn " +
      "uniformly from the whole window [0, min(capMs, baseMs·2ⁿ)] (not its upper half: that is equal jitter; not the " +
      "window itself: that is plain backoff), and rethrow the last error itself when giving up. The grader checks " +
      "every delay against its window and the spread of all delays of a seed (about 90) with a Kolmogorov–Smirnov test.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "07.4",
    notebook: "07-failure-detection",
    slug: "fencing",
    title: "failover with fencing: the backup takes over with a higher epoch, the storage refuses the old primary",
    module: "07-failure-detection/fencing",
    points: 15,
    hint:
      "Storage: one highest epoch for the whole store (not per key); on write, epoch ≥ highest → highest = epoch, " +
      "store the value, reply write_ok; else reply write_refused and store nothing; on read reply read_ok with the " +
      "value of the last accepted write (null if none). Backup: remember the highest epoch of the primary's " +
      "heartbeats; restart a timer of timeoutMs at every heartbeat; when it fires, take over once: epoch = highest + 1 " +
      "(strictly higher — an equal epoch lets the old primary's writes through) and node.rpc(storage, { type: " +
      "\"write\", epoch, key: \"primary\", value: node.id }). Writing that claim is what fences the old primary: " +
      "the storage only learns the new epoch from a write.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "08.1",
    notebook: "08-redundancy-and-recovery",
    slug: "primary-backup",
    title: "a primary–backup key–value store with a view service: failover without stale reads or lost writes",
    module: "08-redundancy-and-recovery/primary-backup",
    points: 15,
    hint:
      "Ping the view service every pingIntervalMs and keep the view with the highest viewNum. As primary, run one " +
      "operation at a time: look up (client, seq) in the dedup table first (same seq → the stored reply, no second " +
      "effect); forward every operation, gets too, to the backup with your view number and answer the client only after " +
      "its ack (with no backup, answer alone). A backup refuses a forward or a state transfer unless it comes from the " +
      "primary of its own view with that view's number — that is what stops an old primary cut off from the view service. " +
      "When a new backup appears, send it the whole store and the dedup table before any further operation, and ping the " +
      "new view's number only after it acknowledged; a backup installs one transfer per view (a late copy must not roll it " +
      "back) and treats a seq ≤ the client's last as done. The grader runs 9 scenarios × 3 runs × 5 seeds with 3 clients × 6–10 " +
      "operations, pingIntervalMs 40–60, latency 5–15 ms, checks each history with the linearizability checker, and wants " +
      "every client done within 2000 ms of the last fault.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "08.2",
    notebook: "08-redundancy-and-recovery",
    slug: "snapshot",
    title: "Chandy–Lamport snapshot of a bank: balances plus money in flight add up, while transfers go on",
    module: "08-redundancy-and-recovery/snapshot",
    points: 15,
    hint:
      "Per other branch keep an outgoing seq counter (1, 2, 3, … per channel, transfers and markers together) and, incoming, the " +
      "next seq expected plus a Map of early arrivals: the grader's links reorder (latency 1–60 ms), so a marker often arrives " +
      "before a transfer sent ahead of it — process each channel strictly in seq order. Per snapshot id keep { balance, " +
      "channels: { [from]: number[] }, open: Set<from> }: on startSnapshot or the first marker of an id, record the balance and " +
      "send markers to every other branch in the same step (not node.peers(): bystanders are spawned first); the first marker's " +
      "channel is closed and empty; every transfer processed on an open channel is appended to that channel of every snapshot " +
      "recording it; a later marker closes its channel; report once when none is open. Two snapshots run at once in every " +
      "trial (27 trials × 5 seeds, 3–5 branches, ~50 transfers each).",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "08.3",
    notebook: "08-redundancy-and-recovery",
    slug: "hash-ring",
    title: "consistent hashing with virtual nodes: an add moves keys only to the new partition",
    module: "08-redundancy-and-recovery/hash-ring",
    points: 15,
    hint:
      "Keep one array of points { position, id }, virtualNodes per partition at hash32(`${id}#${i}`), sorted by position and then " +
      "by id (a < b: the smaller id wins a shared position, whatever the order of the adds). ownerOf(key): binary-search the " +
      "first point with position ≥ hash32(key); if there is none, wrap around to points[0] (not the last point, not undefined). " +
      "Never hash % partitions.length: that moves ~90% of 10,000 keys when a tenth partition joins, the ring ~10%. " +
      "removePartition drops all virtualNodes points of the id; with 100 points each and 10 partitions the busiest must own " +
      "< 1.5 × the mean (one point each gives 2–3 ×). Throw an Error naming the id (duplicate add, unknown remove) or the key " +
      "(ownerOf on an empty ring), and check virtualNodes is an integer ≥ 1.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "08.4",
    notebook: "08-redundancy-and-recovery",
    slug: "quorum",
    title: "quorum reads and writes (ABD): a linearizable client of N replicas under partitions, loss and crashes",
    module: "08-redundancy-and-recovery/quorum",
    points: 15,
    hint:
      "Each phase sends its request to every replica and waits for r (read) or w (write) DIFFERENT replicas: keep a " +
      "Set of the answering node ids (message.src), so that a duplicated answer, or a replica's answer to a resend, " +
      "counts once; count only answers whose in_reply_to is one of this operation's own requests. 2–3% of messages are " +
      "lost: resend to the replicas that have not answered, several times per timeoutMs (every timeoutMs / 5 passes; " +
      "every timeoutMs / 2 fails on every seed), and never wait for all n — with n − max(r, w) replicas down every " +
      "operation must still succeed. A phase without its quorum after timeoutMs (300–500 ms here) rejects, so an " +
      "operation ends within 2 × timeoutMs + 10 ms. put: read first, then write { counter: highest counter read + 1, " +
      "writer: node.id } — never a counter of your own. get: return the value of the highest version, comparing " +
      'counter first and writer second ("c2" > "c1"), not the first answer; if it is not null, write that version and ' +
      "value back and wait for w q_write_ok before returning. Without the write-back, the first scenario (a put that " +
      "reaches one replica 150 ms before the others, while gets run) shows a new value and then the old one: not " +
      "linearizable. 27 runs × 3 scenarios per seed, about 8,500 operations in all.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "09A",
    notebook: "09-consensus-raft",
    slug: "leader-election",
    title: "Raft leader election: randomised timeouts, RequestVote, one leader per term, heartbeats",
    module: "09-consensus-raft/raft",
    points: 15,
    hint:
      "init: a follower of term 0 with electionTimeout drawn from [electionTicksMin, electionTicksMax] by nextRandom(seed) — drawn again " +
      "at every reset (a fixed timeout splits the vote forever when all servers start together). tick: a leader sends append_entries to " +
      "every peer every heartbeatTicks (not every tick: the grader counts messages); anyone else counts electionElapsed up and, at the " +
      "timeout, becomes candidate: currentTerm + 1, votedFor = itself, a new timeout, request_vote to every peer. step: first the term rule " +
      "— any message with term > currentTerm makes you a follower of that term with votedFor = null (a leader too: an old leader that " +
      "rejoins must step down); grant request_vote only if term ≥ currentTerm, votedFor is null or the candidate (never two candidates in " +
      "one term), and its log is at least as up-to-date (§5.4.1); granting resets your timer. A candidate with votes from a majority of " +
      "peers.length + 1 becomes leader and sends append_entries at once; an append_entries of the current term makes a candidate a " +
      "follower and resets a follower's election timer (else followers start new terms under a live leader).",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "09B",
    notebook: "09-consensus-raft",
    slug: "log-replication",
    title: "Raft log replication: AppendEntries with the consistency check, fast back-up, commit by majority, apply in order",
    module: "09-consensus-raft/raft",
    points: 15,
    hint:
      "propose: only a leader appends { index: last + 1, term: currentTerm, command } and sends it; others answer not_leader — never " +
      "commit or apply at propose (a leader cut off from the majority must apply nothing). append_entries receiver: reject (success: " +
      "false) unless your log has an entry at prevLogIndex with prevLogTerm, with the hints conflictTerm (your term there) and " +
      "conflictIndex (its first index, or your last index + 1 if the log is too short); else cut your log at the first entry that " +
      "conflicts with a new one, append what is missing, reply matchIndex = prevLogIndex + entries.length, and only then set " +
      "commitIndex = max(commitIndex, min(leaderCommit, that matchIndex)) — not from your whole log, and never on a rejected request. " +
      "Leader: on success matchIndex/nextIndex go up (never down); on failure nextIndex = one past your last entry of conflictTerm, or " +
      "conflictIndex, and resend at once (one entry back per round trip costs ~50 rejections per 50-entry divergence: the grader allows " +
      "far fewer); commit the highest N a majority holds whose entry is of currentTerm; every server applies lastApplied+1..commitIndex " +
      "in order, once each (in RaftReady.applied). Large commands are sent once per follower (the byte budget).",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "09C",
    notebook: "09-consensus-raft",
    slug: "persistence",
    title: "Raft persistence and crash recovery: currentTerm, votedFor and the log survive crashes on a buffered disk",
    module: "09-consensus-raft/raft",
    points: 15,
    hint:
      "Figure 2: currentTerm, votedFor and log are persistent state. Whenever a step changes any of them, put the new value in " +
      "that same Ready's persist ({ currentTerm, votedFor, log }, each field written whole) — the host writes and syncs persist " +
      "before it sends the Ready's messages, so a vote or an acknowledged entry is on disk before anyone hears of it; a field " +
      "left for a later Ready is lost if the server crashes in between (the grader's disks are buffered and it crashes servers " +
      "right after they vote). restore(ctx, disk) must give back exactly disk.currentTerm, disk.votedFor and disk.log (the keys " +
      "are the persist field names), with commitIndex and lastApplied at 0: the server learns again what is committed and " +
      "re-applies it. A leader advances commitIndex by counting matchIndex only to an entry of its own term (log[N].term === " +
      "currentTerm, §5.4.2): the grader plays Figure 8, where an older entry on a majority is later overwritten. Each restart " +
      "is compared with the state at the crash.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "09D",
    notebook: "09-consensus-raft",
    slug: "kv",
    title: "a key–value service on Raft: clerks retry with the same seq, servers apply each request exactly once, reads through the log",
    module: "09-consensus-raft/kv",
    points: 15,
    hint:
      "Server: on kv_request propose { kind: \"kv\", op, key, value, clientId, seq } with raft.propose — gets too (a get answered " +
      "from your map, even by a leader, is stale when that leader is cut off: the grader's partitions catch it); not accepted → " +
      "reply kv_reply { status: \"not_leader\", leaderHint }; accepted → keep the request under its index with the term. In onApply, " +
      "for every command in order: if seq <= sessions[clientId].seq it is a retry — do not apply it again, answer with the stored " +
      "reply; else apply it and store { seq, value } as the client's session. Then answer the request waiting at that index ok only " +
      "if the applied entry has the term you got from propose and is the same clientId and seq, else not_leader (another leader " +
      "overwrote your entry). Every tick, answer not_leader to what waits while you are not leader of that term. Snapshot " +
      "{ store, sessions } together (snapshotData) and restore both from a snapshot apply message: a table lost in a restart lets " +
      "a retried append in twice. Return { raft } (raftNode's handle). Clerk: seq += 1 once per operation, never per attempt; " +
      "node.rpc each attempt with a timeout, on not_leader follow the hint, on timeout try the next server; retry until ok.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "09E",
    notebook: "09-consensus-raft",
    slug: "snapshots",
    title: "Raft log compaction with snapshots and InstallSnapshot (optional)",
    module: "09-consensus-raft/raft",
    points: 15,
    hint:
      "snapshot(state, index, data): keep { snapshotIndex: index, snapshotTerm: term of that entry, snapshotData: data }, drop " +
      "the entries up to index (log[0].index becomes index + 1) and persist { snapshot: { lastIncludedIndex, lastIncludedTerm, " +
      "data }, log } — all three snapshot fields, or a restart cannot tell where its log starts. Leader: when nextIndex[p] <= " +
      "snapshotIndex send install_snapshot { term, leaderId, lastIncludedIndex, lastIncludedTerm, data }; on " +
      "install_snapshot_resp set matchIndex[p] = max(matchIndex[p], lastIncludedIndex) and nextIndex[p] = matchIndex[p] + 1, " +
      "then go on with append_entries (else every heartbeat repeats the snapshot). Follower (Figure 13): ignore it if " +
      "lastIncludedIndex <= commitIndex; if the log has an entry at lastIncludedIndex with lastIncludedTerm keep the entries " +
      "after it, else discard the log; set commitIndex = lastApplied = lastIncludedIndex and put { kind: \"snapshot\" } in " +
      "applied — never an entry at or below the snapshot afterwards (the service already has it). restore starts commitIndex " +
      "and lastApplied at the snapshot's index. The grader plays a leader that sends entries, a snapshot inside them and more " +
      "entries, and checks the applied order.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "10.1",
    notebook: "10-peer-to-peer",
    slug: "ring-storage",
    title: "DHT storage nodes on a consistent-hash ring: a join or leave hands off exactly the keys whose owner changed",
    module: "10-peer-to-peer/ring-storage",
    points: 15,
    hint:
      "Owner of a key = ringOwnerOf(key, ring, virtualNodes) from lib/dht/index with the virtualNodes you were given — never " +
      "hash % ring.length (a 5th node then moves ~4/5 of the keys, the ring ~1/5). put/get: serve it if you own the key, else " +
      "node.rpc the same request to the owner (timeoutMs ~60, retries ~30: 5% loss) and reply with its answer. On ring_change " +
      "reply ring_change_ok, ignore a ring you already have, adopt the new one, and for every key you hold whose NEW owner is " +
      "another node send { type: \"handoff\", entries: [[key, value], …] } to that owner by rpc; delete the keys only when the " +
      "handoff_ok comes back (a key deleted at send time is lost when the message is dropped — about 1 trial in 3 has one). " +
      "On handoff store every entry and reply handoff_ok with their keys. Send no key you still own.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "10.2",
    notebook: "10-peer-to-peer",
    slug: "chord-lookup",
    title: "Chord finger tables and the iterative lookup by closest preceding finger, in O(log N) hops",
    module: "10-peer-to-peer/chord-lookup",
    points: 15,
    hint:
      "Sort the nodes once; finger i = the first node ≥ (self + 2^i) mod 2^m, wrapping to the lowest node (i from 0, so " +
      "finger 0 is the successor; 2^(i+1) skips it). lookupPath: stop at once if key = start; at node n with successor s, " +
      "if key ∈ (n, s] (wrapping: n < key || key ≤ s when s < n; the whole circle when s = n) append s and stop; else append the " +
      "finger f ∈ (n, key), open at both ends, scanned from i = m − 1 down, and go on there. Compare the node a finger points " +
      "to with the key, not its start. With 1,024 nodes a lookup must take ≤ 10 + 2 = 12 hops; a walk along successors takes " +
      "hundreds. Keys past the highest node belong to the lowest node, not the highest.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "10.3",
    notebook: "10-peer-to-peer",
    slug: "flooding",
    title: "TTL flooding with duplicate suppression: every peer within ttl hops gets a query once, 2|E| − N + 1 sends",
    module: "10-peer-to-peer/flooding",
    points: 15,
    hint:
      "Keep a Set of the queries seen, keyed by origin AND queryId (two origins may reuse an id); flood() marks its own query " +
      "seen and sends ttl unchanged to every neighbour. On a flood message: if seen, return at once (no deliver, no forward) — " +
      "with 10% duplication and several paths most copies are later copies; else mark it, deliver once, and only if ttl > 1 " +
      "send ttl − 1 to every neighbour except message.src (a ttl-1 copy is the last hop: forwarding it gives ttl 0 and reaches " +
      "a peer ttl + 1 hops away). Then a full flood of N = 10 peers and |E| = 13 links costs exactly 2·13 − 10 + 1 = 17 sends. " +
      "Use options.neighbours, never node.peers() (bystanders come first).",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "10.4",
    notebook: "10-peer-to-peer",
    slug: "chord-stabilize",
    title: "Chord join, stabilize, notify, fix_fingers, check_predecessor and successor lists keep the ring right through failures",
    module: "10-peer-to-peer/chord-stabilize",
    points: 15,
    hint:
      "Every 100 ms: stabilize asks the successor s for { predecessor, successors }; adopt x only if x ∈ (self, s) open, " +
      "then successors = [s or x, …s's list] cut to 3 and send cs_notify to the successor. A timed-out s (rpc timeout ~40 ms) " +
      "is dropped and the next list entry takes over. notify sets predecessor = n if it is null or n ∈ (predecessor, self); " +
      "check_predecessor pings it and sets null on a timeout (else a dead predecessor blocks every notify). join: " +
      "successor = lookup(own id) through the bootstrap, never the bootstrap itself. The grader crashes 2 neighbours (of 7–10 nodes) at once " +
      "and checks every successor 600 ms later, for 3 more rounds, then 3 lookups per live node.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "11.1",
    notebook: "11-big-data",
    slug: "apps",
    title: "word count and inverted index as MapReduce map and reduce functions, byte-identical to the reference",
    module: "11-big-data/apps",
    points: 10,
    hint:
      "Find words with contents.match(/\\p{L}+/gu) ?? [] — never split(/\\s+/) (punctuation and digits stay in the word), /\\w+/ " +
      "(digits and _ join words, \"café\" splits) or [A-Za-z]+; keep the case, and let apostrophes split (\"don't\" is \"don\" and \"t\"). " +
      "wordCount: map emits { key: word, value: \"1\" }; reduce returns String of the SUM of parseInt(value) — reduce also runs as a " +
      "combiner, so reduce(\"a\", [\"3\", \"1\", \"12\"]) is \"16\", not values.length. invertedIndex: map emits { key: word, value: file } " +
      "once per distinct word of the file (a Set); reduce dedupes the files, sorts them (the input order is random) and returns " +
      "`${files.length} ${files.join(\",\")}`. Compare your output with runSequential(wordCount, inputs) from lib/mapreduce/index.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "11.2",
    notebook: "11-big-data",
    slug: "master",
    title: "a MapReduce master that schedules map then reduce tasks through worker crashes and stalls, reassigning only after a timeout",
    module: "11-big-data/master",
    points: 25,
    hint:
      "Keep per task (map i, reduce r) a state idle | in_progress | completed, the next attempt number and when the latest attempt " +
      "went out (node.now()). On get_task: every reduce completed → { kind: \"exit\" }; else while some map is not completed hand out " +
      "only maps, afterwards only reduces: an idle task, else an in_progress one whose attempt is ≥ taskTimeoutMs old (never sooner: " +
      "the first attempt may only be slow), each hand-out with attempt = a NEW number (0, 1, 2, …); nothing to hand out → " +
      "{ kind: \"wait\" }. On task_done: reply task_done_ok; if the task is not completed yet mark it completed, whichever attempt " +
      "reported (the output was committed by rename first); a report for a completed task changes nothing — count tasks, not " +
      "reports, or a late duplicate makes done() true while mr-out-r is missing. A completed task is never handed out again, even " +
      "if its worker crashes later (its output is in the shared file system). done() = every reduce task completed.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "11.3",
    notebook: "11-big-data",
    slug: "idempotent-consumer",
    title: "an idempotent consumer: each event applied exactly once across crashes, redeliveries and a producer's duplicate records",
    module: "11-big-data/idempotent-consumer",
    points: 20,
    hint:
      "Keep ONE storage value { balances, applied: { [eventId]: true } } and read it when your function starts (a restart runs " +
      "it again; memory is gone). On (re)start ask fetch_committed for the offset, then loop: fetch { offset, maxRecords: " +
      "pollMaxRecords } with node.rpc (timeoutMs ~40, retries ~20, and ask again if it throws); for each record skip it if its " +
      "eventId is in applied, else add the amount and mark the eventId; write the value with node.storage.set in that same " +
      "step (no await between the balance and its mark), THEN commit_offset { offset: last offset + 1 } and await its ok. " +
      "Commit first and a crash right after the commit loses the batch; mark after the commit's await and a crash between " +
      "processing and commit applies the batch twice; remember offsets instead of eventIds and the producer's retry (the same " +
      "event at a later offset) is applied twice. With no records, await node.sleep(15) and poll again. Answer read_balance " +
      "from the stored balances (0 if none); processed() = the number of eventIds in applied.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "12.1",
    notebook: "12-security",
    slug: "token-server",
    title: "a server that verifies signed session tokens (HS256 and EdDSA, exp/nbf with skew, iss/aud) and checks roles before it acts",
    module: "12-security/token-server",
    points: 20,
    hint:
      "Validate the body first (token a string, op an own key of operations, args a plain object: else 400), wrapped so that " +
      "nothing can throw. Token (else 401): exactly 3 segments; header = JSON.parse(base64urlDecodeText(seg0)) in a try; " +
      "key = options.keys[header.kid] (own key only) and require header.alg === key.alg — the key decides the algorithm, so " +
      "\"none\" and HS256-with-an-Ed25519-kid fail; the signature covers the text seg0 + \".\" + seg1 as received: HS256 " +
      "constantTimeEqual(hmacSha256(secret, input), base64urlDecode(seg2)), EdDSA ed25519Verify(publicKey, input, sig). " +
      "Then now = node.clock() (the grader sets it off by up to 3 s): refuse now >= exp + skew and now < nbf - skew; iss must " +
      "equal, aud equal or contain. RBAC (else 403): union of rolePermissions[role] over the roles, compared with includes on " +
      "the ARRAY (\"x:read-own\" is not \"x:read\"). Run the operation once, only when everything passed. 135 trials of ~28 calls.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "12.2",
    notebook: "12-security",
    slug: "replay-guard",
    title: "replay protection: nonces and timestamps under a MAC refuse replays, a retry gets its first reply, memory bounded by the window",
    module: "12-security/replay-guard",
    points: 20,
    hint:
      "Order: body shape (400, never throw) → client known and verifyEnvelope(body, keys[client]) (401: the MAC covers client, " +
      "nonce, timestampMs and payload, so a moved timestamp or a swapped payload fails here) → |node.clock() − timestampMs| ≤ " +
      "windowMs (401) → the cache, keyed by (client, nonce): unseen = execute once, remember { mac, timestampMs, reply } and " +
      "answer; seen with the same mac = answer the remembered reply again (a retry after a lost reply must not be refused nor " +
      "re-run); seen with another mac = 409. Before each check forget entries whose timestampMs < now − windowMs, in memory and " +
      "in node.storage. Restart: either keep the entries in node.storage (one key per nonce, deleted when forgotten) and reload " +
      "them at start, or note node.clock() at start and refuse every timestampMs not later than it — memory alone lets the " +
      "grader's attacker replay a request from just before the crash. ~55 requests per trial, 135 trials.",
    seeds: DEFAULT_SEEDS,
  },
  {
    id: "13.1",
    notebook: "13-case-study",
    slug: "idempotent-post",
    title: "the chat front-end's post path: a post that is idempotent end to end (same id, same seq, through any front-end)",
    module: "13-case-study/post",
    points: 20,
    hint:
      "Order: parsePost(body) (\"code\" in parsed → error with that code, 12) → verifyToken(token, { keys: ctx.keys, now: " +
      "ctx.node.clock(), audience: ctx.audience }) (not \"valid\" → 14; node.clock(), not node.now(): the grader sets the " +
      "front-end's clock off by up to 3 s) → await ctx.append(room, { id, user: verdict.claims.sub, text }) — the KEY is the " +
      "room (one room = one partition = one order), the user the token's sub; a rejection → 11, and reply nothing before it " +
      "resolved → poll ctx.lookup(room, id) (a rejection = \"not yet\"), await ctx.node.sleep(5) between, until it is a " +
      "number or ctx.catchUpMs passed on node.clock() since the ack (then 11, never earlier) → { type: \"post_ok\", room, " +
      "seq } with the seq lookup gave — NOT the offset append returned: for a retry that is a duplicate the history drops. " +
      "135 trials of ~22 posts, then the acceptance scenarios R2, R3, R7 with your handler in every front-end.",
    seeds: DEFAULT_SEEDS,
  },
];

/** Notebook titles for the scoreboard, by notebook id. */
export const NOTEBOOKS: Readonly<Record<string, string>> = {
  "00-getting-started": "00 getting-started",
  "01-why-distributed": "01 why-distributed",
  "02-infrastructure": "02 infrastructure",
  "03-interaction-patterns": "03 interaction-patterns",
  "04-architectural-styles": "04 architectural-styles",
  "05-integration-and-services": "05 integration-and-services",
  "06-time-and-concurrency": "06 time-and-concurrency",
  "07-failure-detection": "07 failure-detection",
  "08-redundancy-and-recovery": "08 redundancy-and-recovery",
  "09-consensus-raft": "09 consensus-raft",
  "10-peer-to-peer": "10 peer-to-peer",
  "11-big-data": "11 big-data",
  "12-security": "12 security",
  "13-case-study": "13 case-study",
};

/**
 * The exercise with this id; throws if there is none.
 *
 * @example
 * exercise("00.1").points; // 10
 */
export function exercise(id: string): Exercise {
  const found = EXERCISES.find((e) => e.id === id);
  if (!found) throw new Error(`unknown exercise "${id}" (known: ${EXERCISES.map((e) => e.id).join(", ")})`);
  return found;
}

/**
 * The file of an exercise under `exercises/` or `solutions/`, from the repository root.
 *
 * @example
 * exerciseFile(exercise("00.1")); // "exercises/00-getting-started/ping-pong.ts"
 */
export function exerciseFile(ex: Exercise, target: "exercises" | "solutions" = "exercises"): string {
  return `${target}/${ex.module}.ts`;
}

/**
 * The grader test file of an exercise, from the repository root.
 *
 * @example
 * graderFile(exercise("00.1")); // "test/00-getting-started.test.ts"
 */
export function graderFile(ex: Exercise): string {
  return `test/${ex.notebook}.test.ts`;
}

/**
 * The name of an exercise's grader tests (`describe` block): id and slug, e.g. `"00.1 ping-pong"`.
 * The scoreboard finds exercises by this prefix.
 */
export function suiteName(ex: Exercise): string {
  return `${ex.id} ${ex.slug}`;
}
