import { runHistoryImport } from "./command.ts";

export {
  formatImportReport,
  HISTORY_IMPORT_USAGE,
  type HistoryImportIO,
  runHistoryImport,
} from "./command.ts";

/** `cinematch import …` as the CLI's dispatcher runs it: process env and streams. */
export const historyImportMain = (argv: ReadonlyArray<string>): Promise<number> =>
  runHistoryImport(argv, { env: process.env, stdout: process.stdout, stderr: process.stderr });
