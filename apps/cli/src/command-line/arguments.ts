import { type ParseArgsOptionsConfig, parseArgs } from "node:util";
import { EXIT_OK, EXIT_USAGE } from "./exit-codes.ts";

/** Where a command speaks: results to stdout, problems and progress to stderr. */
export interface CommandOutput {
  readonly say: (text: string) => void;
  readonly warn: (text: string) => void;
}

export const commandOutput = (io: {
  readonly stdout: { write(text: string): unknown };
  readonly stderr: { write(text: string): unknown };
}): CommandOutput => ({
  say: (text) => io.stdout.write(`${text}\n`),
  warn: (text) => io.stderr.write(`${text}\n`),
});

type Config<O extends ParseArgsOptionsConfig> = {
  args: string[];
  strict: true;
  allowPositionals: false;
  options: O & { help: { type: "boolean"; short: "h" } };
};
export type CommandOptions<O extends ParseArgsOptionsConfig> = ReturnType<
  typeof parseArgs<Config<O>>
>["values"];

/** Either the options to run with, or the exit code the command ends with at once (usage error, --help). */
export type CommandLine<O extends ParseArgsOptionsConfig> =
  | { readonly _tag: "Run"; readonly options: CommandOptions<O> }
  | { readonly _tag: "Exit"; readonly code: number };

/**
 * Parses a command's options strictly (an unknown option or a stray word is a usage error), with
 * `-h/--help` added: the help prints the usage and exits 0, a usage error prints the problem and the
 * usage, prefixed by the command's name, and exits 2.
 */
export const parseCommandLine = <const O extends ParseArgsOptionsConfig>(
  argv: ReadonlyArray<string>,
  command: { readonly name: string; readonly usage: string; readonly options: O },
  out: CommandOutput,
): CommandLine<O> => {
  let options: CommandOptions<O>;
  try {
    ({ values: options } = parseArgs<Config<O>>({
      args: [...argv],
      strict: true,
      allowPositionals: false,
      options: { ...command.options, help: { type: "boolean", short: "h" } },
    }));
  } catch (cause) {
    out.warn(`${command.name}: ${(cause as Error).message}\n\n${command.usage}`);
    return { _tag: "Exit", code: EXIT_USAGE };
  }
  if ((options as { help?: boolean }).help) {
    out.say(command.usage);
    return { _tag: "Exit", code: EXIT_OK };
  }
  return { _tag: "Run", options };
};

/**
 * A whole-number option: its value, the default when absent, or the message saying what is wrong
 * (`--rate must be a whole number, got "x"`).
 */
export const wholeNumberOption = (
  text: string | undefined,
  name: string,
  fallback: number,
  { allowZero = false } = {},
): number | string => {
  if (text === undefined) return fallback;
  const n = Number(text);
  return Number.isInteger(n) && (n > 0 || (allowZero && n === 0))
    ? n
    : `--${name} must be a whole number${allowZero ? "" : " above 0"}, got ${JSON.stringify(text)}`;
};
