/**
 * Login throttling that slows guessing without letting a guesser lock the owner out (OWASP
 * Authentication Cheat Sheet, "Account Lockout": a hard lock per account is a denial of service
 * anyone can trigger, so throttle progressively and keep the owner's way in open).
 *
 * - Per account AND address: the first `freeFailures` wrong passwords cost nothing; each further
 *   one doubles the wait before that address may try that account again (1 s, 2 s, 4 s, … up to
 *   `maxBackoffMs`). Only the guessing address waits; the owner elsewhere never notices.
 * - Per account, from all addresses together: a budget of `accountFailuresPerHour` wrong passwords
 *   that refills continuously. A distributed guesser who spends it gets 429 for that account, so
 *   guessing stays bounded at about that many per hour however many addresses it rotates through.
 *   Addresses the account has logged in from before are exempt: the owner's usual places still
 *   get in while the budget is spent.
 *
 * Every attempt counts as a failure when it starts and is refunded when the password is right, so
 * concurrent attempts cannot slip past the limits while a hash is being checked. In memory, per
 * process, bounded to `maxKeys` entries per table (oldest dropped first).
 */
export interface LoginThrottleOptions {
  readonly freeFailures: number;
  readonly maxBackoffMs: number;
  readonly accountFailuresPerHour: number;
  readonly maxKeys?: number;
  /** Addresses remembered per account as the owner's. */
  readonly knownAddressesPerAccount?: number;
}

export type LoginVerdict =
  | { readonly allowed: true }
  | { readonly allowed: false; readonly retryAfterMs: number; readonly reason: "address" | "account" };

export interface LoginThrottle {
  /** Refuses, or admits the attempt and counts it as a failure until `succeeded` refunds it. */
  readonly begin: (account: string, address: string, nowMs: number) => LoginVerdict;
  readonly succeeded: (account: string, address: string, nowMs: number) => void;
  readonly size: () => { readonly pairs: number; readonly accounts: number; readonly known: number };
}

const HOUR_MS = 3_600_000;
const FIRST_BACKOFF_MS = 1_000;

interface PairState {
  failures: number;
  lastFailureAt: number;
}

interface Budget {
  tokens: number;
  updatedAt: number;
}

const touch = <K, V>(map: Map<K, V>, key: K, value: V, maxKeys: number) => {
  map.delete(key);
  map.set(key, value);
  // Map iteration is insertion order, so the entry used longest ago goes first.
  for (const oldest of map.keys()) {
    if (map.size <= maxKeys) break;
    map.delete(oldest);
  }
};

export const makeLoginThrottle = (options: LoginThrottleOptions): LoginThrottle => {
  const maxKeys = options.maxKeys ?? 100_000;
  const knownPerAccount = options.knownAddressesPerAccount ?? 8;
  const capacity = options.accountFailuresPerHour;
  const refillPerMs = capacity / HOUR_MS;
  const pairs = new Map<string, PairState>();
  const budgets = new Map<string, Budget>();
  const known = new Map<string, Array<string>>();

  const pairKey = (account: string, address: string) => `${account}\n${address}`;

  const backoffMs = (failures: number) =>
    failures < options.freeFailures
      ? 0
      : Math.min(options.maxBackoffMs, FIRST_BACKOFF_MS * 2 ** Math.min(30, failures - options.freeFailures));

  const budgetOf = (account: string, now: number): Budget => {
    const budget = budgets.get(account);
    if (budget === undefined) return { tokens: capacity, updatedAt: now };
    const tokens = Math.min(capacity, budget.tokens + (now - budget.updatedAt) * refillPerMs);
    return { tokens, updatedAt: now };
  };

  const storeBudget = (account: string, budget: Budget) => {
    // A full budget is the default: forgetting it keeps the table small.
    if (budget.tokens >= capacity) budgets.delete(account);
    else touch(budgets, account, budget, maxKeys);
  };

  return {
    begin: (account, address, now) => {
      const key = pairKey(account, address);
      let pair = pairs.get(key);
      // An hour (or a longest backoff) without a wrong password wipes the slate for that address.
      if (pair !== undefined && now - pair.lastFailureAt >= Math.max(HOUR_MS, options.maxBackoffMs)) {
        pair = undefined;
      }
      if (pair !== undefined) {
        const waitUntil = pair.lastFailureAt + backoffMs(pair.failures);
        if (now < waitUntil) return { allowed: false, retryAfterMs: waitUntil - now, reason: "address" };
      }
      const budget = budgetOf(account, now);
      const isKnown = known.get(account)?.includes(address) ?? false;
      if (budget.tokens < 1 && !isKnown) {
        return {
          allowed: false,
          retryAfterMs: Math.ceil((1 - budget.tokens) / refillPerMs),
          reason: "account",
        };
      }
      if (!isKnown) budget.tokens = Math.max(0, budget.tokens - 1);
      storeBudget(account, budget);
      touch(pairs, key, { failures: (pair?.failures ?? 0) + 1, lastFailureAt: now }, maxKeys);
      return { allowed: true };
    },
    succeeded: (account, address, now) => {
      pairs.delete(pairKey(account, address));
      const wasKnown = known.get(account)?.includes(address) ?? false;
      if (!wasKnown) {
        const budget = budgetOf(account, now);
        budget.tokens = Math.min(capacity, budget.tokens + 1);
        storeBudget(account, budget);
      }
      const addresses = (known.get(account) ?? []).filter((a) => a !== address);
      addresses.push(address);
      touch(known, account, addresses.slice(-knownPerAccount), maxKeys);
    },
    size: () => ({ pairs: pairs.size, accounts: budgets.size, known: known.size }),
  };
};
