// Message fault rules: drop, delay or duplicate the messages that match, during a window of
// virtual time ("drop every append_entries_ok from n2 between 100 and 300 ms"). The network
// consults them for each message it routes; the rules never draw from a link's random stream, so
// adding one changes the fate of the messages it matches and of no others.
import { ConfigError, SimulationError, type Prng } from "../sim/index";
import type { Body } from "../node/message";
import { sampleLatency, type Latency } from "./latency";
import { checkLatency, checkProbability } from "./options";

/** What a rule does to a message it matches. */
export type RuleAction = "drop" | "delay" | "duplicate";

/** A message as a rule's `where` predicate sees it: a fresh copy (changing it changes nothing). */
export interface RuleMessage {
  src: string;
  dest: string;
  body: Body;
}

/**
 * Which messages a rule applies to. Every field given must match; a field may list several
 * values (any of them matches). No field: every message.
 *
 * @example
 * const match: MessageMatch = { type: ["append_entries", "append_entries_ok"], src: "n2", where: (m) => m.body.term > 3 };
 */
export interface MessageMatch {
  /** The body's `type`. */
  type?: string | readonly string[];
  /** The sending node. */
  src?: string | readonly string[];
  /** The receiving node. */
  dest?: string | readonly string[];
  /** A predicate on the message; it runs only for messages the other fields match. */
  where?: (message: RuleMessage) => boolean;
}

/**
 * A message fault rule, in one typed object: which messages (`match`), what happens to them
 * (`action`), how likely (`probability`) and when (a message sent at `t` with `fromMs ≤ t < toMs`).
 * Rules see a message after the network's own faults: one that a partition or the loss fault
 * drops never reaches them. On a FIFO link a delayed message holds back those sent after it.
 *
 * @example
 * const rule: MessageRuleOptions = {
 *   name: "lose n2's replies",
 *   match: { type: "append_entries_ok", src: "n2" },
 *   action: "drop",
 *   fromMs: 100,
 *   toMs: 300,
 * };
 */
export interface MessageRuleOptions {
  /** Shown in the trace for every message the rule affects. Default `rule 1`, `rule 2`, … */
  name?: string;
  /** Which messages. Default: every message. */
  match?: MessageMatch;
  /**
   * `"drop"`: the message is lost (traced as a drop with reason `rule`). `"delay"`: it arrives
   * `delayMs` later than the network would deliver it. `"duplicate"`: a second copy arrives
   * `delayMs` (default 0) after the first.
   */
  action: RuleAction;
  /**
   * For `delay` (required) and `duplicate`: extra virtual ms, a number or a distribution sampled
   * for each message from the rule's own random stream (`latency.uniform(20, 80)`).
   */
  delayMs?: number | Latency;
  /** Probability in [0, 1] that a matching message is affected, drawn from the rule's own random stream. Default 1. */
  probability?: number;
  /** The window opens at this virtual time (ms). Default: when the rule is added. */
  fromMs?: number;
  /** The window closes at this virtual time (ms; messages sent at `toMs` are not affected). Default: never. */
  toMs?: number;
}

/** What the rules did to one message (undefined from `decide` when no rule did anything). */
export interface RuleVerdict {
  /** The rule that dropped the message, if one did (the rules after it were not consulted). */
  droppedBy?: string;
  /** Total extra delay of every delay rule that applied. */
  extraDelayMs: number;
  /** One entry per delay rule that applied. */
  delays: Array<{ rule: string; delayMs: number }>;
  /** One entry per duplicate rule that applied: the copy arrives `delayMs` after the message. */
  copies: Array<{ rule: string; delayMs: number }>;
}

/** One rule, checked and compiled. */
interface Rule {
  readonly name: string;
  readonly action: RuleAction;
  readonly types: ReadonlySet<string> | undefined;
  readonly srcs: ReadonlySet<string> | undefined;
  readonly dests: ReadonlySet<string> | undefined;
  readonly where: ((message: RuleMessage) => boolean) | undefined;
  readonly delay: Latency | undefined;
  readonly probability: number;
  readonly fromMs: number;
  readonly toMs: number;
  readonly prng: Prng;
  affected: number;
  removed: boolean;
}

/**
 * A rule in force, as `sim.addRule` returns it: its name, how many messages it has affected, and
 * `remove()`.
 *
 * @example
 * const rule = sim.addRule({ match: { type: "vote" }, action: "drop" });
 * await sim.runFor(500);
 * rule.affected; // votes dropped so far
 * rule.remove();
 */
export class MessageRule {
  /** @internal Made by `MessageRules.add`. */
  constructor(
    private readonly rule: Rule,
    private readonly rules: MessageRules,
  ) {}

  /** The rule's name, as the trace shows it. @example rule.name // "lose n2's replies" */
  get name(): string {
    return this.rule.name;
  }

  /** What the rule does. @example rule.action // "drop" */
  get action(): RuleAction {
    return this.rule.action;
  }

  /** The window: messages sent at `t` with `fromMs ≤ t < toMs`. @example rule.window // { fromMs: 100, toMs: 300 } */
  get window(): { fromMs: number; toMs: number } {
    return { fromMs: this.rule.fromMs, toMs: this.rule.toMs };
  }

  /** Messages the rule has dropped, delayed or duplicated so far. @example rule.affected // 4 */
  get affected(): number {
    return this.rule.affected;
  }

  /** False once removed. @example rule.active // true */
  get active(): boolean {
    return !this.rule.removed;
  }

  /** Remove the rule now (no effect if it is already removed). @example sim.at(300, () => rule.remove()) */
  remove(): void {
    this.rules.remove(this.rule.name);
  }

  /** A one-line description. @example String(rule) // 'rule "lose n2's replies": drop append_entries_ok n2 → *, 100ms–300ms' */
  toString(): string {
    const r = this.rule;
    const list = (s: ReadonlySet<string> | undefined): string => (s === undefined ? "*" : [...s].join("|"));
    const what = r.types === undefined ? "every message" : list(r.types);
    const window = `${r.fromMs}ms–${r.toMs === Infinity ? "∞" : `${r.toMs}ms`}`;
    const p = r.probability === 1 ? "" : ` with p=${r.probability}`;
    return `rule "${r.name}": ${r.action} ${what} ${list(r.srcs)} → ${list(r.dests)}${r.where ? " where …" : ""}${p}, ${window}${r.removed ? " (removed)" : ""}`;
  }
}

const RULE_KEYS = ["name", "match", "action", "delayMs", "probability", "fromMs", "toMs"];
const MATCH_KEYS = ["type", "src", "dest", "where"];
const ACTIONS: readonly RuleAction[] = ["drop", "delay", "duplicate"];

/**
 * The message fault rules of one network, in the order they were added. Each rule draws from its
 * own random stream, split from the network's by the rule's name.
 *
 * @example
 * const rules = new MessageRules(new Prng(1).split("network"), (id) => ["a", "b"].includes(id));
 * rules.add({ name: "slow pings", match: { type: "ping" }, action: "delay", delayMs: 50 }, 0);
 * rules.decide("a", "b", "ping", '{"type":"ping"}', 10); // { extraDelayMs: 50, delays: [{ rule: "slow pings", delayMs: 50 }], copies: [] }
 */
export class MessageRules {
  private rules: Rule[] = [];
  private added = 0;

  constructor(
    private readonly prng: Prng,
    private readonly knownNode: (id: string) => boolean,
  ) {}

  /** Number of rules in force. @example rules.size */
  get size(): number {
    return this.rules.length;
  }

  /**
   * Check a rule and put it in force from `nowMs` on. Throws a `ConfigError` naming the option.
   *
   * @example
   * rules.add({ name: "flaky votes", match: { type: "vote" }, action: "drop", probability: 0.5 }, sim.now());
   */
  add(options: MessageRuleOptions, nowMs: number): MessageRule {
    if (!options || typeof options !== "object") {
      throw new ConfigError("rule", options, "an object such as { match: { type: \"ping\" }, action: \"drop\" }");
    }
    const name = options.name ?? `rule ${this.added + 1}`;
    if (typeof name !== "string" || name === "") throw new ConfigError("rule.name", name, "a non-empty string");
    const at = `rule "${name}"`;
    for (const key of Object.keys(options)) {
      if (!RULE_KEYS.includes(key)) throw new ConfigError(`${at}.${key}`, (options as any)[key], `a known option (${RULE_KEYS.join(", ")})`);
    }
    if (this.rules.some((r) => r.name === name)) throw new ConfigError(`${at}.name`, name, "a name no other rule in force has");
    const action = options.action;
    if (!ACTIONS.includes(action)) throw new ConfigError(`${at}.action`, action, '"drop", "delay" or "duplicate"');
    const match = options.match ?? {};
    if (typeof match !== "object" || match === null) throw new ConfigError(`${at}.match`, match, "an object such as { type: \"ping\", src: \"a\" }");
    for (const key of Object.keys(match)) {
      if (!MATCH_KEYS.includes(key)) throw new ConfigError(`${at}.match.${key}`, (match as any)[key], `a known field (${MATCH_KEYS.join(", ")})`);
    }
    const types = this.names(`${at}.match.type`, match.type, "a message type (or a list of them)");
    const srcs = this.nodes(`${at}.match.src`, match.src);
    const dests = this.nodes(`${at}.match.dest`, match.dest);
    if (match.where !== undefined && typeof match.where !== "function") {
      throw new ConfigError(`${at}.match.where`, match.where, "a function (message) => boolean");
    }
    const delay = this.delay(at, action, options.delayMs);
    const probability = options.probability ?? 1;
    checkProbability(`${at}.probability`, probability);
    const fromMs = options.fromMs ?? nowMs;
    if (typeof fromMs !== "number" || !Number.isFinite(fromMs) || fromMs < 0) {
      throw new ConfigError(`${at}.fromMs`, fromMs, "a finite virtual time in ms ≥ 0");
    }
    const toMs = options.toMs ?? Infinity;
    if (typeof toMs !== "number" || Number.isNaN(toMs)) throw new ConfigError(`${at}.toMs`, toMs, "a virtual time in ms (or Infinity)");
    if (toMs < fromMs) throw new ConfigError(`${at}.toMs`, toMs, `≥ fromMs (${fromMs})`);
    const rule: Rule = {
      name,
      action,
      types,
      srcs,
      dests,
      where: match.where,
      delay,
      probability,
      fromMs,
      toMs,
      prng: this.prng.split(`rule:${name}`),
      affected: 0,
      removed: false,
    };
    this.added++;
    this.rules = [...this.rules, rule];
    return new MessageRule(rule, this);
  }

  /**
   * Remove the rule called `name`; returns false if no such rule is in force.
   *
   * @example
   * rules.remove("lose n2's replies"); // true
   */
  remove(name: string): boolean {
    const rule = this.rules.find((r) => r.name === name);
    if (rule === undefined) return false;
    rule.removed = true;
    this.rules = this.rules.filter((r) => r !== rule);
    return true;
  }

  /** Names of the rules in force, in the order they were added. @example rules.names() // ["lose n2's replies"] */
  ruleNames(): string[] {
    return this.rules.map((r) => r.name);
  }

  /**
   * What the rules do to a message sent now (`nowMs`) from `src` to `dest`: undefined when none
   * applies (the common case). Rules are consulted in the order they were added; a drop ends the
   * consultation. `json` is the body as sent; a `where` predicate gets a fresh copy of it.
   *
   * @example
   * rules.decide("n2", "n1", "append_entries_ok", json, 150); // { droppedBy: "lose n2's replies", extraDelayMs: 0, delays: [], copies: [] }
   */
  decide(src: string, dest: string, type: string, json: string, nowMs: number): RuleVerdict | undefined {
    let verdict: RuleVerdict | undefined;
    let expired = false;
    for (const rule of this.rules) {
      if (nowMs >= rule.toMs) {
        expired = true;
        continue;
      }
      if (nowMs < rule.fromMs) continue;
      if (rule.types !== undefined && !rule.types.has(type)) continue;
      if (rule.srcs !== undefined && !rule.srcs.has(src)) continue;
      if (rule.dests !== undefined && !rule.dests.has(dest)) continue;
      if (rule.where !== undefined && !this.holds(rule, src, dest, json)) continue;
      if (rule.probability < 1 && !rule.prng.chance(rule.probability)) continue;
      rule.affected++;
      verdict ??= { extraDelayMs: 0, delays: [], copies: [] };
      if (rule.action === "drop") {
        verdict.droppedBy = rule.name;
        break;
      }
      const delayMs = rule.delay === undefined ? 0 : sampleLatency(rule.delay, rule.prng);
      if (rule.action === "delay") {
        verdict.extraDelayMs += delayMs;
        verdict.delays.push({ rule: rule.name, delayMs });
      } else {
        verdict.copies.push({ rule: rule.name, delayMs });
      }
    }
    if (expired) this.rules = this.rules.filter((r) => nowMs < r.toMs); // time never goes back: a closed window stays closed
    return verdict;
  }

  private holds(rule: Rule, src: string, dest: string, json: string): boolean {
    try {
      return Boolean(rule.where!({ src, dest, body: JSON.parse(json) as Body }));
    } catch (err) {
      throw new SimulationError(`rule "${rule.name}": match.where threw: ${err instanceof Error ? err.message : String(err)}`);
    }
  }

  private names(option: string, value: string | readonly string[] | undefined, expected: string): Set<string> | undefined {
    if (value === undefined) return undefined;
    const list = typeof value === "string" ? [value] : value;
    if (!Array.isArray(list) || list.length === 0 || list.some((v) => typeof v !== "string" || v === "")) {
      throw new ConfigError(option, value, expected);
    }
    return new Set(list);
  }

  private nodes(option: string, value: string | readonly string[] | undefined): Set<string> | undefined {
    const ids = this.names(option, value, "a node id (or a list of them)");
    for (const id of ids ?? []) if (!this.knownNode(id)) throw new ConfigError(option, id, "the id of a spawned node");
    return ids;
  }

  private delay(at: string, action: RuleAction, delayMs: number | Latency | undefined): Latency | undefined {
    const option = `${at}.delayMs`;
    if (delayMs === undefined) {
      if (action === "delay") throw new ConfigError(option, delayMs, "for a delay rule, extra ms: a number ≥ 0 or a distribution such as latency.uniform(20, 80)");
      return undefined;
    }
    if (action === "drop") throw new ConfigError(option, delayMs, "no delayMs: a drop rule drops (delayMs is for delay and duplicate rules)");
    if (typeof delayMs === "number") {
      if (!Number.isFinite(delayMs) || delayMs < 0) throw new ConfigError(option, delayMs, "a finite number of ms ≥ 0 (or a distribution such as latency.uniform(20, 80))");
      return { kind: "constant", ms: delayMs };
    }
    checkLatency(option, delayMs);
    return delayMs;
  }
}
