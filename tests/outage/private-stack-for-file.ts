import { afterAll, beforeAll } from "vitest";
import type { Started } from "../web/support/processes.ts";
import { type PrivateStack, startPrivateStack, stopPrivateStacks } from "./private-stack.ts";

/** What a test file on a private stack works with, once its `beforeAll` has started the stack. */
export interface PrivateStackOfFile {
  readonly stack: PrivateStack;
  readonly baseURL: string;
  /** The stack as `withProductLogs` takes it (stopping stays with the file's `afterAll`). */
  readonly product: () => { baseURL: string; processes: Started[]; stop: () => Promise<void> };
}

/**
 * One private stack for a test file: started before its tests, stopped after them (a stack whose
 * start-up the hook timeout cut off too).
 */
export const privateStackForFile = (options: Parameters<typeof startPrivateStack>[0]): PrivateStackOfFile => {
  let stack: PrivateStack | undefined;
  beforeAll(async () => {
    stack = await startPrivateStack(options);
  }, 300_000);
  afterAll(async () => {
    await stopPrivateStacks();
  }, 120_000);
  const started = (): PrivateStack => {
    if (stack === undefined)
      throw new Error(`the private stack ${options.name} did not start (see beforeAll)`);
    return stack;
  };
  return {
    get stack() {
      return started();
    },
    get baseURL() {
      return started().baseURL;
    },
    product: () => ({ baseURL: started().baseURL, processes: started().processes, stop: async () => {} }),
  };
};
