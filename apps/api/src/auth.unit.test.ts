import { Either } from "effect";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { hashPassword, verifyPassword } from "./auth/passwords.ts";
import { makeLoginThrottle } from "./auth/login-throttle.ts";
import { makeRateLimiter } from "./auth/rate-limit.ts";
import { issueToken, verifyToken } from "./auth/tokens.ts";
import { startWorld, TEST_SECRET, type World } from "./testing/world.ts";
import { Effect } from "effect";

const password = "correct horse battery";

describe("an API with no accounts", () => {
  let world: World;
  beforeEach(async () => {
    world = await startWorld({ config: { loginFreeFailures: 3, loginMaxPerIp: 6, trustProxy: true } });
  });
  afterEach(() => world.close());

  it("given a new email, when signing up, then 201 with a bearer token that opens my list", async () => {
    const signup = await world.call("POST", "/auth/signup", {
      body: { email: " Alice@Example.com ", password },
    });
    expect(signup.status).toBe(201);
    const body = signup.json();
    expect(body).toMatchObject({ token_type: "Bearer", email: "alice@example.com" });
    expect(typeof body.user_id).toBe("string");
    expect(Date.parse(body.expires_at)).toBeGreaterThan(Date.now());
    const list = await world.call("GET", "/movies", { token: body.token });
    expect(list.status).toBe(200);
  });

  it("given the same email in another case, when signing up again, then 409 email_taken", async () => {
    await world.call("POST", "/auth/signup", { body: { email: "alice@example.com", password } });
    const again = await world.call("POST", "/auth/signup", {
      body: { email: "ALICE@example.com", password },
    });
    expect(again.status).toBe(409);
    expect(again.json().error).toBe("email_taken");
  });

  it("given a bad email and a short password, when signing up, then 422 naming both fields", async () => {
    const response = await world.call("POST", "/auth/signup", {
      body: { email: "not-an-email", password: "short" },
    });
    expect(response.status).toBe(422);
    expect(
      response
        .json()
        .issues.map((i: { path: string }) => i.path)
        .sort(),
    ).toEqual(["email", "password"]);
  });

  describe("an account exists", () => {
    beforeEach(async () => {
      await world.call("POST", "/auth/signup", { body: { email: "bob@example.com", password } });
    });

    it("given the right password, when logging in, then 200 with a token; the password is not in the answer", async () => {
      const response = await world.call("POST", "/auth/login", {
        body: { email: "BOB@example.com", password },
      });
      expect(response.status).toBe(200);
      expect(response.json().token).toMatch(/^v1\./);
      expect(response.text).not.toContain(password);
    });

    it("given a wrong password or an unknown email, when logging in, then the same 401", async () => {
      const wrong = await world.call("POST", "/auth/login", {
        body: { email: "bob@example.com", password: "wrong password" },
      });
      const unknown = await world.call("POST", "/auth/login", {
        body: { email: "nobody@example.com", password },
      });
      expect(wrong.status).toBe(401);
      expect(unknown.status).toBe(401);
      expect(wrong.json()).toEqual(unknown.json());
      expect(wrong.headers.get("www-authenticate")).toMatch(/^Bearer/);
    });

    it("given an attacker who sent many wrong passwords for an email, when the owner logs in from another address, then 200 while the attacker waits (429, Retry-After)", async () => {
      const from = (address: string) => ({ "x-forwarded-for": address });
      const attacker: Array<number> = [];
      for (let i = 0; i < 5; i++) {
        const answer = await world.call("POST", "/auth/login", {
          body: { email: "bob@example.com", password: `wrong guess number ${i}` },
          headers: from("203.0.113.66"),
        });
        attacker.push(answer.status);
        if (answer.status === 429) expect(Number(answer.headers.get("retry-after"))).toBeGreaterThan(0);
      }
      expect(attacker).toEqual([401, 401, 401, 429, 429]);
      const owner = await world.call("POST", "/auth/login", {
        body: { email: "bob@example.com", password },
        headers: from("198.51.100.7"),
      });
      expect(owner.status).toBe(200);
    });

    it("given too many attempts from one address across emails, when logging in again, then 429", async () => {
      const statuses: Array<number> = [];
      for (let i = 0; i < 7; i++) {
        statuses.push(
          (await world.call("POST", "/auth/login", { body: { email: `user${i}@example.com`, password } }))
            .status,
        );
      }
      expect(statuses.slice(0, 6)).toEqual([401, 401, 401, 401, 401, 401]);
      expect(statuses[6]).toBe(429);
    });
  });

  describe("tokens", () => {
    it("given no token, a forged one or an expired one, when calling a private route, then 401 saying why", async () => {
      const { token: forged } = issueToken("another secret", "u1", Date.now(), 60);
      const { token: expired } = issueToken(TEST_SECRET, "u1", Date.now() - 7200_000, 60);
      const none = await world.call("GET", "/movies");
      const bad = await world.call("GET", "/movies", { token: forged });
      const old = await world.call("GET", "/movies", { token: expired });
      expect([none.status, bad.status, old.status]).toEqual([401, 401, 401]);
      expect(old.json().message).toMatch(/expired/);
      expect(bad.json().message).toMatch(/not valid/);
    });
  });
});

describe("token signing", () => {
  it("given a token, when verified before and after its expiry, then valid then expired", () => {
    const now = Date.UTC(2026, 10, 1);
    const { token } = issueToken("s", "u1", now, 60);
    expect(Either.getOrThrow(verifyToken("s", token, now + 59_000)).user_id).toBe("u1");
    expect(verifyToken("s", token, now + 60_000)).toEqual(Either.left("expired"));
  });

  it("given a token whose signature's last character is swapped for a lookalike, when verified, then only the issued spelling passes", () => {
    const now = Date.UTC(2026, 10, 1);
    const { token } = issueToken("s", "u1", now, 60);
    const signature = token.slice(token.lastIndexOf(".") + 1);
    // 32 bytes in 43 characters: the last one carries 4 bits of the MAC and 2 unused bits.
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    const last = alphabet.indexOf(signature.at(-1)!);
    const lookalikes = [1, 2, 3].map((low) => alphabet[(last & ~3) | ((last + low) & 3)]);
    expect(Either.isRight(verifyToken("s", token, now))).toBe(true);
    for (const char of lookalikes) {
      const forged = `${token.slice(0, -1)}${char}`;
      expect(Buffer.from(forged.slice(forged.lastIndexOf(".") + 1), "base64url")).toEqual(
        Buffer.from(signature, "base64url"),
      );
      expect(verifyToken("s", forged, now)).toEqual(Either.left("malformed"));
    }
  });

  it("given a token with its payload changed, when verified, then the signature fails", () => {
    const { token } = issueToken("s", "u1", Date.now(), 60);
    const [v, , sig] = token.split(".");
    const payload = Buffer.from(JSON.stringify({ sub: "u2", iat: 0, exp: 2 ** 31 })).toString("base64url");
    expect(verifyToken("s", `${v}.${payload}.${sig}`, Date.now())).toEqual(Either.left("bad_signature"));
    expect(verifyToken("s", "garbage", Date.now())).toEqual(Either.left("malformed"));
  });
});

describe("password hashing", () => {
  it("given a hash, when verified with the right and a wrong password, then only the right one matches", async () => {
    const hash = await Effect.runPromise(hashPassword("s3cret-pass", { N: 1024, r: 8, p: 1 }));
    expect(hash).toMatch(/^scrypt\$1024\$8\$1\$/);
    expect(hash).not.toContain("s3cret-pass");
    expect(await Effect.runPromise(verifyPassword("s3cret-pass", hash))).toBe(true);
    expect(await Effect.runPromise(verifyPassword("s3cret-pasS", hash))).toBe(false);
    expect(await Effect.runPromise(verifyPassword("s3cret-pass", "md5$abc"))).toBe(false);
  });
});

describe("the rate limiter", () => {
  it("given a limit of 2 per window, when hit 3 times then after the window, then the third waits and the fourth passes", () => {
    const limiter = makeRateLimiter(2, 1000);
    expect(limiter.hit("k", 0).allowed).toBe(true);
    expect(limiter.hit("k", 10).allowed).toBe(true);
    expect(limiter.hit("k", 20)).toEqual({ allowed: false, retryAfterMs: 980 });
    expect(limiter.hit("k", 1000).allowed).toBe(true);
  });

  it("given more keys than its bound, when hit, then it keeps at most the bound", () => {
    const limiter = makeRateLimiter(1, 1_000_000, 10);
    for (let i = 0; i < 50; i++) limiter.hit(`k${i}`, i);
    expect(limiter.size()).toBeLessThanOrEqual(10);
  });
});

describe("the login throttle", () => {
  const options = { freeFailures: 3, maxBackoffMs: 60_000, accountFailuresPerHour: 100 };

  it("given wrong passwords from one address, when it keeps guessing, then each wait doubles up to the cap", () => {
    const throttle = makeLoginThrottle(options);
    let now = 0;
    const waits: Array<number> = [];
    for (let attempt = 0; attempt < 12; attempt++) {
      const verdict = throttle.begin("bob", "a", now);
      if (verdict.allowed) continue;
      waits.push(verdict.retryAfterMs);
      now += verdict.retryAfterMs;
      expect(throttle.begin("bob", "a", now).allowed).toBe(true);
    }
    expect(waits).toEqual([1000, 2000, 4000, 8000, 16000, 32000, 60000, 60000, 60000]);
  });

  it("given one address in backoff for an account, when another address tries that account, then it is admitted", () => {
    const throttle = makeLoginThrottle(options);
    for (let i = 0; i < 3; i++) throttle.begin("bob", "attacker", 0);
    expect(throttle.begin("bob", "attacker", 0).allowed).toBe(false);
    expect(throttle.begin("bob", "owner", 0).allowed).toBe(true);
    expect(throttle.begin("carol", "attacker", 0).allowed).toBe(true);
  });

  it("given guesses from many addresses, when an hour's budget is spent, then the account refuses new addresses but not the owner's known one, and refills over time", () => {
    const throttle = makeLoginThrottle(options);
    expect(throttle.begin("bob", "home", 0).allowed).toBe(true);
    throttle.succeeded("bob", "home", 0);
    let admitted = 0;
    for (let i = 0; i < 1000; i++) if (throttle.begin("bob", `bot-${i}`, 1).allowed) admitted += 1;
    expect(admitted).toBe(100);
    const refused = throttle.begin("bob", "cafe", 2);
    expect(refused).toMatchObject({ allowed: false, reason: "account" });
    expect(throttle.begin("bob", "home", 2).allowed).toBe(true);
    // One guess's worth of budget comes back every 36 s (100 per hour).
    expect(throttle.begin("bob", "cafe", 1 + 36_000).allowed).toBe(true);
    expect(throttle.begin("bob", "cafe2", 1 + 36_001).allowed).toBe(false);
  });

  it("given a right password, when it succeeds, then its attempt is refunded and the address starts over", () => {
    const throttle = makeLoginThrottle({ ...options, accountFailuresPerHour: 2 });
    for (let i = 0; i < 5; i++) {
      expect(throttle.begin("bob", "owner", i).allowed).toBe(true);
      throttle.succeeded("bob", "owner", i);
    }
    expect(throttle.begin("bob", "elsewhere", 10).allowed).toBe(true);
    expect(throttle.begin("bob", "elsewhere2", 10).allowed).toBe(true);
    expect(throttle.begin("bob", "elsewhere3", 10).allowed).toBe(false);
  });
});
