import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";
import { Effect } from "effect";

/**
 * Password hashing with scrypt from node:crypto (memory-hard). Stored as
 * `scrypt$<N>$<r>$<p>$<salt b64url>$<hash b64url>` so the parameters can change later and old
 * hashes still verify. Salt 16 random bytes, key 32 bytes. The work runs on libuv's thread pool,
 * not the event loop; callers bound how many run at once (each takes 128·N·r bytes).
 */
export interface ScryptParams {
  readonly N: number;
  readonly r: number;
  readonly p: number;
}

const KEY_LENGTH = 32;

const derive = (password: string, salt: Buffer, params: ScryptParams, keyLength: number) =>
  Effect.async<Buffer, Error>((resume) => {
    scrypt(
      password.normalize("NFKC"),
      salt,
      keyLength,
      { N: params.N, r: params.r, p: params.p, maxmem: 256 * params.N * params.r + 1024 * 1024 },
      (error, key) => resume(error === null ? Effect.succeed(key) : Effect.fail(error)),
    );
  });

export const hashPassword = (password: string, params: ScryptParams): Effect.Effect<string> =>
  Effect.gen(function* () {
    const salt = randomBytes(16);
    const key = yield* Effect.orDie(derive(password, salt, params, KEY_LENGTH));
    return [
      "scrypt",
      params.N,
      params.r,
      params.p,
      salt.toString("base64url"),
      key.toString("base64url"),
    ].join("$");
  });

/** Whether the password matches the stored hash; a malformed hash never matches. Constant-time compare. */
export const verifyPassword = (password: string, stored: string): Effect.Effect<boolean> =>
  Effect.suspend(() => {
    const [scheme, N, r, p, salt, hash] = stored.split("$");
    if (scheme !== "scrypt" || salt === undefined || hash === undefined) return Effect.succeed(false);
    const params = { N: Number(N), r: Number(r), p: Number(p) };
    if (!Number.isInteger(params.N) || !Number.isInteger(params.r) || !Number.isInteger(params.p)) {
      return Effect.succeed(false);
    }
    const expected = Buffer.from(hash, "base64url");
    return derive(password, Buffer.from(salt, "base64url"), params, expected.length).pipe(
      Effect.map((key) => key.length === expected.length && timingSafeEqual(key, expected)),
      Effect.orElseSucceed(() => false),
    );
  });
