import type { Method, Route } from "./route.ts";

type Segment = { readonly literal: string } | { readonly param: string };

interface Compiled<R> {
  readonly route: Route<R>;
  readonly segments: ReadonlyArray<Segment>;
  readonly literals: number;
}

export type RouteMatch<R> =
  | { readonly _tag: "Found"; readonly route: Route<R>; readonly params: Record<string, string> }
  | { readonly _tag: "MethodNotAllowed"; readonly allowed: ReadonlyArray<Method> }
  | { readonly _tag: "NotFound" }
  | { readonly _tag: "BadPath" };

const compile = (path: string): ReadonlyArray<Segment> =>
  path
    .split("/")
    .slice(1)
    .map((part) =>
      part.startsWith("{") && part.endsWith("}") ? { param: part.slice(1, -1) } : { literal: part },
    );

/** A small router: routes grouped by segment count, matched in declaration order (literals before params). */
export const makeRouter = <R>(routes: ReadonlyArray<Route<R>>) => {
  const bySize = new Map<number, Array<Compiled<R>>>();
  for (const route of routes) {
    const segments = compile(route.path);
    const list = bySize.get(segments.length) ?? [];
    list.push({ route, segments, literals: segments.filter((segment) => "literal" in segment).length });
    bySize.set(segments.length, list);
  }
  // Literal segments win over parameters: `/catalog/search` before `/catalog/{movieId}`.
  for (const list of bySize.values()) {
    list.sort((a, b) => {
      for (let i = 0; i < a.segments.length; i++) {
        const x = "literal" in a.segments[i]! ? 0 : 1;
        const y = "literal" in b.segments[i]! ? 0 : 1;
        if (x !== y) return x - y;
      }
      return 0;
    });
  }

  return (method: string, pathname: string): RouteMatch<R> => {
    const parts = pathname.split("/").slice(1);
    // A trailing slash names the same resource (`/movies/` is `/movies`), except the root.
    if (parts.length > 1 && parts[parts.length - 1] === "") parts.pop();
    const candidates = bySize.get(parts.length);
    if (candidates === undefined) return { _tag: "NotFound" };
    // The most literal resource the path names is the one it names: `GET /imports/letterboxd` is
    // the POST-only import route asked with the wrong method (405), not `GET /imports/{importId}`.
    let best: { readonly route: Route<R>; readonly params: Record<string, string> } | undefined;
    let allowed: Array<Method> = [];
    let bestLiterals = -1;
    for (const { route, segments, literals } of candidates) {
      let params: Record<string, string> | undefined = {};
      for (let i = 0; i < segments.length; i++) {
        const segment = segments[i]!;
        const part = parts[i]!;
        if ("literal" in segment) {
          if (segment.literal !== part) {
            params = undefined;
            break;
          }
        } else {
          if (part === "") {
            params = undefined;
            break;
          }
          try {
            params[segment.param] = decodeURIComponent(part);
          } catch {
            return { _tag: "BadPath" };
          }
        }
      }
      if (params === undefined) continue;
      if (literals < bestLiterals) continue;
      if (literals > bestLiterals) {
        best = undefined;
        allowed = [];
        bestLiterals = literals;
      }
      if (route.method === method) best ??= { route, params };
      else if (!allowed.includes(route.method)) allowed.push(route.method);
    }
    if (best !== undefined) return { _tag: "Found", ...best };
    return allowed.length > 0 ? { _tag: "MethodNotAllowed", allowed } : { _tag: "NotFound" };
  };
};
