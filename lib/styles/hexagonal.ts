/**
 * Hexagonal architecture, ports and adapters (lecture 000, "Hexagonal Architecture"; Alistair
 * Cockburn, "Hexagonal architecture", 2005): the domain core knows only **ports** — interfaces
 * it offers (driving side: {@link AccountsPort}) and interfaces it needs (driven side:
 * {@link LedgerPort}). **Adapters** connect the ports to the world: an in-memory ledger for a test,
 * a ledger on another node over the network, a message handler that lets remote clients drive
 * the core. The core's code is the same in every arrangement.
 *
 * Network adapters' wire protocol: driving side `{ type: "acct_deposit" | "acct_withdraw",
 * account, amount }` and `{ type: "acct_balance", account }` → `{ type: "acct_ok", balance }` or
 * `{ type: "acct_error", name, message }`; driven side `{ type: "ledger_load", account }` →
 * `{ type: "ledger_loaded", balance }` (null if unknown) and `{ type: "ledger_save", account,
 * balance }` → `ledger_saved`.
 */
import type { Node } from "../node/node";
import type { Message } from "../node/message";
import { SimulationError } from "../sim/errors";

/** The driving (primary) port: what the core offers. */
export interface AccountsPort {
  deposit(account: string, amount: number): Promise<number>;
  withdraw(account: string, amount: number): Promise<number>;
  balance(account: string): Promise<number>;
}

/** The driven (secondary) port: what the core needs to keep balances. */
export interface LedgerPort {
  /** The stored balance, or undefined for an account never saved. */
  load(account: string): Promise<number | undefined>;
  save(account: string, balance: number): Promise<void>;
}

/**
 * A domain rule said no: the withdrawal would overdraw the account.
 *
 * @example
 * await new AccountsCore(inMemoryLedger()).withdraw("bob", 1); // rejects with InsufficientFunds
 */
export class InsufficientFunds extends Error {
  constructor(readonly account: string, readonly balance: number, readonly amount: number) {
    super(`account "${account}" holds ${balance}, cannot withdraw ${amount}`);
    this.name = "InsufficientFunds";
  }
}

/**
 * The domain core: accounts with deposits and withdrawals, no overdraft. It talks to storage only
 * through its {@link LedgerPort}, and runs one operation at a time (a load and its save are never
 * interleaved with another operation's, even when the ledger is remote).
 *
 * @example
 * const core = new AccountsCore(inMemoryLedger());   // a test: no network at all
 * await core.deposit("alice", 50);                   // 50
 * await core.withdraw("alice", 80);                  // throws InsufficientFunds
 */
export class AccountsCore implements AccountsPort {
  private queue: Promise<unknown> = Promise.resolve();

  constructor(private readonly ledger: LedgerPort) {}

  private serially<T>(work: () => Promise<T>): Promise<T> {
    const result = this.queue.then(work);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private static checkAmount(amount: number): void {
    if (typeof amount !== "number" || !Number.isFinite(amount) || amount <= 0) throw new RangeError(`amount must be a finite number > 0, got ${amount}`);
  }

  /** Add `amount`; resolves to the new balance. @example await core.deposit("alice", 50) */
  deposit(account: string, amount: number): Promise<number> {
    return this.serially(async () => {
      AccountsCore.checkAmount(amount);
      const balance = ((await this.ledger.load(account)) ?? 0) + amount;
      await this.ledger.save(account, balance);
      return balance;
    });
  }

  /** Take `amount` out, unless that would overdraw. @example await core.withdraw("alice", 20) */
  withdraw(account: string, amount: number): Promise<number> {
    return this.serially(async () => {
      AccountsCore.checkAmount(amount);
      const before = (await this.ledger.load(account)) ?? 0;
      if (amount > before) throw new InsufficientFunds(account, before, amount);
      await this.ledger.save(account, before - amount);
      return before - amount;
    });
  }

  /** The balance (0 for an unknown account). @example await core.balance("alice") */
  balance(account: string): Promise<number> {
    return this.serially(async () => (await this.ledger.load(account)) ?? 0);
  }
}

/**
 * A driven adapter for tests: balances in a Map.
 *
 * @example
 * const ledger = inMemoryLedger();
 * new AccountsCore(ledger);
 * ledger.entries(); // [["alice", 50]]
 */
export function inMemoryLedger(): LedgerPort & { entries(): [string, number][] } {
  const balances = new Map<string, number>();
  return {
    load: async (account) => balances.get(account),
    save: async (account, balance) => void balances.set(account, balance),
    entries: () => Array.from(balances.entries()),
  };
}

/**
 * A ledger on its own node (the other end of {@link remoteLedger}); balances in `node.storage`,
 * so they survive a crash.
 *
 * @example
 * sim.spawn("ledger", (node) => { ledgerNode(node); });
 */
export function ledgerNode(node: Node): void {
  node.on("ledger_load", (message: Message) => {
    const balance = node.storage.get<number>(`balance:${message.body.account}`);
    node.reply(message, { type: "ledger_loaded", balance: balance ?? null });
  });
  node.on("ledger_save", (message: Message) => {
    const { account, balance } = message.body;
    if (typeof account !== "string" || typeof balance !== "number") throw new SimulationError(`ledger_save from "${message.src}": needs a string account and a number balance, got ${JSON.stringify(message.body)}`, { node: node.id, timeMs: node.now() });
    node.storage.set(`balance:${account}`, balance);
    node.reply(message, { type: "ledger_saved" });
  });
}

/** Options of {@link remoteLedger}. */
export interface RemoteLedgerOptions {
  timeoutMs?: number;
  retries?: number;
}

/**
 * A driven adapter that implements {@link LedgerPort} by messages to a {@link ledgerNode}. (A load
 * and a save are idempotent, so retrying them is safe.)
 *
 * @example
 * sim.spawn("bank", (node) => { accountsAdapterNode(node, new AccountsCore(remoteLedger(node, "ledger"))); });
 */
export function remoteLedger(node: Node, ledger: string, options: RemoteLedgerOptions = {}): LedgerPort {
  const rpc = { timeoutMs: options.timeoutMs ?? 100, retries: options.retries ?? 3 };
  return {
    async load(account) {
      const reply = await node.rpc(ledger, { type: "ledger_load", account }, rpc);
      return reply.body.balance ?? undefined;
    },
    async save(account, balance) {
      await node.rpc(ledger, { type: "ledger_save", account, balance }, rpc);
    },
  };
}

/**
 * A driving adapter: lets remote clients drive a core through `acct_*` messages. The core's
 * errors (a domain rule, a bad amount, a ledger that timed out) go back as `acct_error`.
 *
 * @example
 * sim.spawn("bank", (node) => { accountsAdapterNode(node, new AccountsCore(inMemoryLedger())); });
 */
export function accountsAdapterNode(node: Node, core: AccountsPort): void {
  const serve = (run: (m: Message) => Promise<number>) => async (message: Message) => {
    try {
      node.reply(message, { type: "acct_ok", balance: await run(message) });
    } catch (error) {
      const e = error instanceof Error ? error : new Error(String(error));
      node.reply(message, { type: "acct_error", name: e.name, message: e.message });
    }
  };
  node.on("acct_deposit", serve((m) => core.deposit(m.body.account, m.body.amount)));
  node.on("acct_withdraw", serve((m) => core.withdraw(m.body.account, m.body.amount)));
  node.on("acct_balance", serve((m) => core.balance(m.body.account)));
}

/** Options of {@link accountsClient}. */
export interface AccountsClientOptions {
  timeoutMs?: number;
}

/**
 * {@link AccountsPort} over the network, to an {@link accountsAdapterNode}: code written against the
 * port runs unchanged against a remote core. An `acct_error` rejects with an Error of the remote
 * name (e.g. `"InsufficientFunds"`). Deposits are not idempotent, so nothing is retried.
 *
 * @example
 * sim.spawn("teller", async (node) => {
 *   const accounts: AccountsPort = accountsClient(node, "bank");
 *   await accounts.deposit("alice", 50);
 * });
 */
export function accountsClient(node: Node, server: string, options: AccountsClientOptions = {}): AccountsPort {
  const call = async (body: { type: string; account: string; amount?: number }): Promise<number> => {
    const reply = await node.rpc(server, body, { timeoutMs: options.timeoutMs ?? 500 });
    if (reply.body.type === "acct_error") {
      const error = new Error(String(reply.body.message));
      error.name = String(reply.body.name);
      throw error;
    }
    return reply.body.balance;
  };
  return {
    deposit: (account, amount) => call({ type: "acct_deposit", account, amount }),
    withdraw: (account, amount) => call({ type: "acct_withdraw", account, amount }),
    balance: (account) => call({ type: "acct_balance", account }),
  };
}
