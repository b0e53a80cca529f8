#!/usr/bin/env node
// `cinematch <command> …`: a table of commands, each a module with its own options and usage.
// To add one, add a row to COMMANDS (words that name it, a one-line summary, a lazy loader).

interface Command {
  readonly words: ReadonlyArray<string>;
  readonly summary: string;
  readonly run: (argv: ReadonlyArray<string>) => Promise<number>;
}

const COMMANDS: ReadonlyArray<Command> = [
  {
    words: ["catalog", "import"],
    summary: "import films into the catalog (IMDB-1000 CSV, MovieLens movies.csv)",
    run: async (argv) => {
      const module: { readonly catalogImportMain?: (argv: ReadonlyArray<string>) => Promise<number> } =
        await import("./catalog-import/index.ts");
      if (module.catalogImportMain === undefined) {
        process.stderr.write("cinematch: catalog import is not available in this build\n");
        return 2;
      }
      return module.catalogImportMain(argv);
    },
  },
  {
    words: ["catalog", "dedupe"],
    summary: "merge films the catalog holds more than once (--dry-run to see what would change)",
    run: async (argv) => (await import("./catalog-import/index.ts")).catalogDedupeMain(argv),
  },
  {
    words: ["import"],
    summary: "import my Letterboxd or Trakt history into my account (through the API)",
    run: async (argv) => (await import("./history-import/index.ts")).historyImportMain(argv),
  },
  {
    words: ["replay"],
    summary: "replay MovieLens ratings as watchlist events (straight onto the topic, or through the API)",
    run: async (argv) => (await import("./replay/index.ts")).replayMain(argv),
  },
];

export const USAGE = `Usage: cinematch <command> [options]   (cinematch <command> --help for its options)

Commands:
${COMMANDS.map((c) => `  ${c.words.join(" ").padEnd(16)} ${c.summary}`).join("\n")}`;

/** Finds the command whose words start `argv` (the longest match) and runs it with the rest. */
export const dispatch = async (argv: ReadonlyArray<string>): Promise<number> => {
  const matches = COMMANDS.filter((c) => c.words.every((word, i) => argv[i] === word)).sort(
    (a, b) => b.words.length - a.words.length,
  );
  const command = matches[0];
  if (command === undefined) {
    const help = argv.length === 0 || argv[0] === "--help" || argv[0] === "-h" || argv[0] === "help";
    (help ? process.stdout : process.stderr).write(
      `${help ? "" : `cinematch: unknown command ${JSON.stringify(argv.join(" "))}\n\n`}${USAGE}\n`,
    );
    return help ? 0 : 2;
  }
  return command.run(argv.slice(command.words.length));
};

if (import.meta.main) {
  process.title = `cinematch ${process.argv.slice(2, 4).join(" ")}`.trim();
  process.exitCode = await dispatch(process.argv.slice(2));
}
