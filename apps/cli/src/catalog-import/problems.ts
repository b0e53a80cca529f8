import type { DecodeError } from "@cinematch/domain";

/** Something wrong with one line of an input file (line 0: the file as a whole); `file` is the path as given. */
export interface LineProblem {
  readonly file: string;
  readonly line: number;
  readonly message: string;
}

/** `FILE:LINE: problem`, or `FILE: problem` for the file as a whole (line 0: missing, unreadable). */
export const formatProblem = (p: LineProblem): string =>
  p.line > 0 ? `${p.file}:${p.line}: ${p.message}` : `${p.file}: ${p.message}`;

/** A schema's field issues as one readable sentence, with the CSV column each field came from. */
export const describeDecodeError = (
  error: DecodeError,
  columnOf: Readonly<Record<string, string>> = {},
): string =>
  error.issues
    // An optional field reports each branch it failed (`a number between…`, `undefined`): the first says it.
    .filter((issue, k, all) => all.findIndex((other) => other.path === issue.path) === k)
    .map((issue) => {
      const field = issue.path.split(".")[0] ?? "";
      const column = columnOf[field];
      return `${column === undefined ? issue.path || "row" : JSON.stringify(column)}: ${issue.message}`;
    })
    .join("; ");
