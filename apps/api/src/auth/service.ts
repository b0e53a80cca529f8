import { randomBytes } from "node:crypto";
import { type Account, AccountsStore, IdGenerator, type StoreUnavailable } from "@cinematch/adapters";
import type { AuthToken, Credentials } from "@cinematch/domain";
import { Clock, Effect, Either, Option, Redacted } from "effect";
import type { ApiConfig } from "../config.ts";
import { HttpFailure, tooManyRequests, unauthorized } from "../http/failure.ts";
import type { Caller } from "../http/route.ts";
import { hashPassword, verifyPassword } from "./passwords.ts";
import { makeLoginThrottle } from "./login-throttle.ts";
import { makeRateLimiter } from "./rate-limit.ts";
import { issueToken, verifyToken } from "./tokens.ts";

export interface Auth {
  readonly signup: (
    credentials: Credentials,
    ip: string,
  ) => Effect.Effect<AuthToken, HttpFailure | StoreUnavailable, AccountsStore | IdGenerator>;
  readonly login: (
    credentials: Credentials,
    ip: string,
  ) => Effect.Effect<AuthToken, HttpFailure | StoreUnavailable, AccountsStore>;
  readonly authenticate: (token: string, nowMs: number) => Either.Either<Caller, string>;
}

const emailTaken = new HttpFailure({
  status: 409,
  code: "email_taken",
  message: "an account with this email exists: log in",
});
const invalidCredentials = unauthorized("wrong email or password");

const problems = {
  malformed: "the bearer token is malformed",
  bad_signature: "the bearer token is not valid",
  expired: "the bearer token has expired: log in again",
} as const;

/**
 * Accounts and tokens. The token secret comes from the config; without one a random secret is made
 * (and a warning logged: tokens then die with the process). At most two scrypt derivations run at
 * once (each takes 128·N·r bytes). Logins back off per account and address and are bounded per
 * account (`login-throttle.ts`); attempts and signups are limited per client address in fixed windows.
 */
export const makeAuth = (config: ApiConfig): Effect.Effect<Auth> =>
  Effect.gen(function* () {
    const secret = Option.match(config.tokenSecret, {
      onNone: () => randomBytes(32).toString("base64url"),
      onSome: Redacted.value,
    });
    if (Option.isNone(config.tokenSecret)) {
      yield* Effect.logWarning(
        "CINEMATCH_TOKEN_SECRET is not set: using a random secret for this process; tokens will not survive a restart",
      );
    }
    const kdf = yield* Effect.makeSemaphore(2);
    const windowMs = config.loginWindowSeconds * 1000;
    const throttle = makeLoginThrottle({
      freeFailures: config.loginFreeFailures,
      maxBackoffMs: config.loginMaxBackoffSeconds * 1000,
      accountFailuresPerHour: config.loginAccountFailuresPerHour,
    });
    const byIp = makeRateLimiter(config.loginMaxPerIp, windowMs);
    const signupsByIp = makeRateLimiter(config.loginMaxPerIp, windowMs);
    /** Verified against when the email is unknown, so both answers take as long. */
    let decoy: string | undefined;

    const limit = (limiter: ReturnType<typeof makeRateLimiter>, key: string) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) => {
        const verdict = limiter.hit(key, now);
        return verdict.allowed ? Effect.void : Effect.fail(tooManyRequests(verdict.retryAfterMs));
      });

    const tokenFor = (account: Account) =>
      Effect.map(Clock.currentTimeMillis, (now): AuthToken => {
        const { token, claims } = issueToken(secret, account.user_id, now, config.tokenTtlSeconds);
        return {
          token,
          token_type: "Bearer",
          expires_at: claims.expires_at,
          user_id: account.user_id,
          email: account.email,
        };
      });

    const signup: Auth["signup"] = (credentials, ip) =>
      Effect.gen(function* () {
        yield* limit(signupsByIp, ip);
        const accounts = yield* AccountsStore;
        // Cheap early answer; the unique index decides races.
        if (Option.isSome(yield* accounts.findByEmail(credentials.email))) {
          return yield* Effect.fail(emailTaken);
        }
        const password_hash = yield* kdf.withPermits(1)(hashPassword(credentials.password, config.scrypt));
        const account: Account = {
          user_id: yield* (yield* IdGenerator).next,
          email: credentials.email,
          password_hash,
          created_at: yield* Clock.currentTimeMillis,
        };
        yield* accounts.create(account).pipe(Effect.catchTag("EmailTaken", () => Effect.fail(emailTaken)));
        return yield* tokenFor(account);
      });

    const login: Auth["login"] = (credentials, ip) =>
      Effect.gen(function* () {
        yield* limit(byIp, ip);
        const now = yield* Clock.currentTimeMillis;
        const verdict = throttle.begin(credentials.email, ip, now);
        if (!verdict.allowed) return yield* Effect.fail(tooManyRequests(verdict.retryAfterMs));
        const found = yield* (yield* AccountsStore).findByEmail(credentials.email);
        if (Option.isNone(found)) {
          if (decoy === undefined) decoy = yield* hashPassword("decoy password", config.scrypt);
          yield* kdf.withPermits(1)(verifyPassword(credentials.password, decoy));
          return yield* Effect.fail(invalidCredentials);
        }
        const ok = yield* kdf.withPermits(1)(verifyPassword(credentials.password, found.value.password_hash));
        if (!ok) return yield* Effect.fail(invalidCredentials);
        throttle.succeeded(credentials.email, ip, yield* Clock.currentTimeMillis);
        return yield* tokenFor(found.value);
      });

    return {
      signup,
      login,
      authenticate: (token, nowMs) =>
        Either.mapLeft(verifyToken(secret, token, nowMs), (problem) => problems[problem]),
    };
  });
