import { AuthToken, Credentials } from "@cinematch/domain";
import { Effect } from "effect";
import { json } from "../http/reply.ts";
import { type Route, route } from "../http/route.ts";
import type { RouteDependencies, RouteServices } from "./dependencies.ts";
import { errors } from "./shared.ts";

/** Sign-up and login. */
export const accountRoutes = (deps: RouteDependencies): ReadonlyArray<Route<RouteServices>> => {
  const { auth } = deps;
  return [
    route({
      name: "signup",
      method: "POST",
      path: "/auth/signup",
      tag: "accounts",
      summary: "Create an account and get a bearer token",
      description: "The email is trimmed and lowercased. Passwords are hashed with scrypt and never logged.",
      auth: "none",
      body: Credentials,
      responses: [
        { status: 201, description: "Account created", schema: AuthToken },
        ...errors(
          [409, "Email already registered"],
          [422, "Invalid email or password"],
          [429, "Too many signups from this address"],
        ),
      ],
      handler: ({ body, ip }) => Effect.map(auth.signup(body, ip), (token) => json(201, AuthToken, token)),
    }),
    route({
      name: "login",
      method: "POST",
      path: "/auth/login",
      tag: "accounts",
      summary: "Log in and get a bearer token",
      description: "Rate-limited per email and per client address (429 with Retry-After).",
      auth: "none",
      body: Credentials,
      responses: [
        { status: 200, description: "Logged in", schema: AuthToken },
        ...errors([401, "Wrong email or password"], [422, "Invalid input"], [429, "Too many attempts"]),
      ],
      handler: ({ body, ip }) => Effect.map(auth.login(body, ip), (token) => json(200, AuthToken, token)),
    }),
  ];
};
