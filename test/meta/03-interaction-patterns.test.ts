// Meta tests of the graders of notebook 03 (test/grading/meta.ts says what each checks): the
// reference passes, the stub is pending, and each buggy fixture is rejected for its stated reason.
import { describe, expect, it } from "vitest";
import { exercise, loadModule } from "../grading";
import { BYSTANDER, metaTests, notImplemented, type Graded } from "../grading/meta";
import { checkContractNet, TRIALS as CONTRACT_NET_TRIALS, type ContractNetApi } from "../grading/03-interaction-patterns/contract-net";
import { checkReliableBroadcast, TRIALS as RELIABLE_BROADCAST_TRIALS, type ReliableBroadcastApi } from "../grading/03-interaction-patterns/reliable-broadcast";
import { checkTopicBroker, TRIALS as TOPIC_BROKER_TRIALS, type TopicBrokerApi } from "../grading/03-interaction-patterns/topic-broker";

export const topicBroker: Graded<TopicBrokerApi> = {
  exercise: exercise("03.1"),
  check: checkTopicBroker,
  trials: TOPIC_BROKER_TRIALS,
  stub: { topicBroker: () => notImplemented(exercise("03.1")) },
  buggy: [
    ["topic-broker-ignores-topic", /only to nodes subscribed to "[^"]+" when it became ready; got \w+ → \w+ event topic="[^"]+" .*, but (no subscribe of \w+ to "[^"]+" had reached|\w+ never subscribed)/],
    ["topic-broker-no-unsubscribe", /only to nodes subscribed to "[^"]+" when it became ready; got \w+ → \w+ event .*was an unsubscribe: \w+ → \w+ unsubscribe/],
    ["topic-broker-double-subscribe", /exactly one event for \w+'s publish seq=\d+ on "[^"]+" to \w+; got a second one: /],
    ["topic-broker-arrival-order", /in \w+'s seq order \(hold a message back until all earlier ones of its publisher have arrived\); got \w+ → \w+ event .* first, then/],
    ["topic-broker-echo-publisher", /only to nodes subscribed to "[^"]+" when it became ready; got \w+ → \w+ event .*, but \w+ never subscribed to anything \(it is a publisher\)/],
    ["topic-broker-drops-early", /an event for \w+'s publish seq=\d+ on "[^"]+" to \w+, subscribed to .*; got \w+ never sent it; .*had arrived in the order seq=\d+, .*hold an early message back until the gap is filled, never drop it/],
    ["topic-broker-first-arrival", /an event for \w+'s publish seq=(\d+) on "[^"]+" to \w+, subscribed to .*; got \w+ never sent it; .*had arrived in the order seq=(\d+), .*\(seq=(?!\2\b)\d+ carries first: true/],
    ["topic-broker-broadcast", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ event`)],
    ["topic-broker-subscribers-at-arrival", /(an event for \w+'s publish seq=\d+ on "[^"]+" to \w+, subscribed to "[^"]+" since .*; got \w+ never sent it|only to nodes subscribed to .* when it became ready; got .*was an unsubscribe)/],
  ],
  accepted: ["topic-broker-sorted-buffer"],
};

export const contractNet: Graded<ContractNetApi> = {
  exercise: exercise("03.2"),
  check: checkContractNet,
  trials: CONTRACT_NET_TRIALS,
  stub: { initiator: async () => notImplemented(exercise("03.2")) },
  buggy: [
    ["contract-net-accepts-first", /to decide at the (deadline|moment the last) .*; got it accepted at t=[\d.]+ms, while [\w, ]+ had not answered yet: \w+ → \w+ accept-proposal/],
    ["contract-net-late-fallback", /no accept-proposal for a proposal that arrived after the deadline t=[\d.]+ms .*; got \w+ → \w+ accept-proposal .* for \w+ → \w+ propose bid=\d+/],
    ["contract-net-highest-bid", /accept-proposal to (\w+), the lowest on-time bid \(.*\); got \w+ → (?!\1 )\w+ accept-proposal/],
    ["contract-net-forgets-reject", /one reject-proposal to (\w+) \(lost to \w+'s bid=\d+\) between .*; got \w+ sent \1 none; its proposal: \1 → \w+ propose bid=\d+/],
    ["contract-net-waits-for-a-proposal", /to return \{ status: "no-proposals" \} at the deadline .*\(no on-time proposal\); got its promise never settled/],
    ["contract-net-ignores-failure", /to return \{"status":"failed","contractor":"(\w+)","bid":\d+\} once \1's failure arrived .*; got it returned \{"status":"done"/],
    ["contract-net-tie-last", /accept-proposal to (\w+), the lowest on-time bid \(.*\1 bid=(\d+).*\w+ bid=\2.*a tie goes to the contractor listed first in contractors\); got \w+ → (?!\1 )\w+ accept-proposal/],
    ["contract-net-always-waits-deadline", /to decide at the moment the last of the \d+ contractors had answered \(t=[\d.]+ms\), before the deadline t=[\d.]+ms, within 1 ms; got it accepted only at t=[\d.]+ms/],
    ["contract-net-no-late-reject", /one reject-proposal to (\w+) \(arrived after the deadline t=[\d.]+ms, so it gets its reject-proposal on arrival, also after \w+ returned\) between .*; got \w+ sent \1 none/],
    ["contract-net-reawards", /exactly one accept-proposal \(no second award\); got a second one: \w+ → \w+ accept-proposal/],
    ["contract-net-settimeout-deadline", /03\.2 contract-net: your code called setTimeout — use node\.setTimer \/ node\.sleep instead/],
    ["contract-net-broadcast-cfp", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ cfp task=`)],
  ],
  accepted: ["contract-net-running-best"],
};

export const reliableBroadcast: Graded<ReliableBroadcastApi> = {
  exercise: exercise("03.3"),
  check: checkReliableBroadcast,
  trials: RELIABLE_BROADCAST_TRIALS,
  stub: { reliableBroadcast: () => notImplemented(exercise("03.3")) },
  buggy: [
    ["reliable-broadcast-best-effort", /to deliver \w+'s broadcast of payload=.*: \w+ crashed, but \w+ \(correct\) delivered it at t=[\d.]+ms, so every correct member must \(agreement\); got \w+ delivered it never; no rb message for it was sent to \w+/],
    ["reliable-broadcast-relays-every-copy", /to send message \(origin \w+, seq \d+\) to \w+ at most once \(links are reliable: one relay per message is enough\); got copy number 2: \w+ → \w+ rb/],
    ["reliable-broadcast-delivers-duplicates", /to deliver \w+'s broadcast of payload=.* once \(no duplication: remember \(origin, seq\) of what you delivered\); got it delivered it [2-9] times/],
    ["reliable-broadcast-relays-to-origin", /so every correct member must \(agreement\); got \w+ delivered it never/],
    ["reliable-broadcast-peers", new RegExp(`${BYSTANDER}.*; got \\w+ → \\w+ rb origin=`)],
    ["reliable-broadcast-dedup-by-payload", /to deliver \w+'s broadcast of payload=.* \((\d) broadcasts with this payload: \1 messages\) \1 times: .*; got \w+ delivered it (1 time|never)/],
    ["reliable-broadcast-dedup-by-seq", /to deliver \w+'s broadcast of payload=.*\((validity|agreement)\).*; got \w+ delivered it never; copies that reached \w+: \w+ → \w+ rb/],
    ["reliable-broadcast-forgets-own", /to send message \(origin (\w+), seq \d+\) to \w+ at most once .*; got copy number 2: \1 → \w+ rb origin="\1"/],
    ["reliable-broadcast-no-self-deliver", /to deliver (\w+)'s broadcast of payload=.*\(validity\), \1 itself included: call deliver when you broadcast; got \1 delivered it never/],
    // Only the grader's members that do not relay show that the origin itself must reach everyone.
    ["reliable-broadcast-sends-to-two", /\(validity\); got \w+ delivered it never; no rb message for it was sent to \w+/],
    ["reliable-broadcast-math-random-seq", /03\.3 reliable-broadcast: your code called Math\.random — use node\.rng instead \(Math\.random is not driven by the simulation's seed/],
  ],
  accepted: ["reliable-broadcast-deliver-first"],
};

metaTests(topicBroker);
metaTests(contractNet);
metaTests(reliableBroadcast);

describe("grader 03.2 contract-net", () => {
  it("says in its hint how many calls it makes", () => {
    expect(contractNet.exercise.hint).toContain(`grader's ${contractNet.exercise.seeds.length * CONTRACT_NET_TRIALS} calls`);
  });
});

describe("grader 03.3 reliable-broadcast", () => {
  async function firstFailure(fixture: string) {
    const impl = await loadModule<ReliableBroadcastApi>(`test/fixtures/buggy/03-interaction-patterns/${fixture}`);
    for (const seed of reliableBroadcast.exercise.seeds) {
      const r = await checkReliableBroadcast(impl, seed);
      if (r.status === "fail") return r;
    }
    throw new Error(`${fixture} passed every seed`);
  }

  it("crashes a node in the middle of its sends: best-effort broadcast fails among the student's own nodes", async () => {
    const r = await firstFailure("reliable-broadcast-best-effort");
    expect(r.scenario).toMatch(/^your reliableBroadcast on every member of the group .*, \w+ crashes right after its send number \d+/);
    expect(r.got).toMatch(/crashed: \w+/);
  });

  it("needs the grader's members that do not relay to catch an origin that sends to two members only", async () => {
    const r = await firstFailure("reliable-broadcast-sends-to-two");
    expect(r.scenario).toMatch(/with the grader's members .*\(does not relay\)/);
  });
});
