import { createHmac, timingSafeEqual } from "node:crypto";
import { Either } from "effect";

/**
 * Bearer tokens: `v1.<payload>.<signature>`, payload = base64url JSON `{sub, iat, exp}` (seconds),
 * signature = HMAC-SHA256 over `v1.<payload>` with the server's secret. Stateless: any API process
 * with the same secret accepts them until they expire.
 */
export interface TokenClaims {
  readonly user_id: string;
  readonly issued_at: number;
  readonly expires_at: number;
}

export type TokenProblem = "malformed" | "bad_signature" | "expired";

const sign = (secret: string, text: string) => createHmac("sha256", secret).update(text).digest();

export const issueToken = (
  secret: string,
  user_id: string,
  nowMs: number,
  ttlSeconds: number,
): { token: string; claims: TokenClaims } => {
  const iat = Math.floor(nowMs / 1000);
  const exp = iat + ttlSeconds;
  const payload = Buffer.from(JSON.stringify({ sub: user_id, iat, exp })).toString("base64url");
  const signed = `v1.${payload}`;
  return {
    token: `${signed}.${sign(secret, signed).toString("base64url")}`,
    claims: { user_id, issued_at: iat * 1000, expires_at: exp * 1000 },
  };
};

export const verifyToken = (
  secret: string,
  token: string,
  nowMs: number,
): Either.Either<TokenClaims, TokenProblem> => {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== "v1") return Either.left("malformed");
  const [version, payload, signature] = parts as [string, string, string];
  const expected = sign(secret, `${version}.${payload}`);
  const given = Buffer.from(signature, "base64url");
  // Node's base64url decoder ignores the unused low bits of the last character (and skips stray
  // characters), so several spellings decode to one signature: only the one we issue is a token.
  if (given.toString("base64url") !== signature) return Either.left("malformed");
  if (given.length !== expected.length || !timingSafeEqual(given, expected))
    return Either.left("bad_signature");
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
  } catch {
    return Either.left("malformed");
  }
  if (typeof claims !== "object" || claims === null) return Either.left("malformed");
  const { sub, iat, exp } = claims as Record<string, unknown>;
  if (typeof sub !== "string" || typeof iat !== "number" || typeof exp !== "number")
    return Either.left("malformed");
  if (exp * 1000 <= nowMs) return Either.left("expired");
  return Either.right({ user_id: sub, issued_at: iat * 1000, expires_at: exp * 1000 });
};
