/**
 * What a run has started, stopped last-started first (the API and runners before the servers they
 * use), every step tried even when an earlier one failed; and the SIGINT/SIGTERM handling that stops
 * it, for a bench run by hand (the soak): without it a Ctrl-C or a `kill` ends the bench and leaves
 * its private servers (started in their own session) and its child processes running.
 */
import { constants } from "node:os";

export interface StopStep {
  /** Names the thing for messages, e.g. "soak-api (pid 123)". */
  readonly name: string;
  readonly stop: () => Promise<void>;
  /**
   * Ends the thing at once, synchronously, when the stopping is cut short (e.g. SIGKILL to a child
   * process). A step without it is reported as left running.
   */
  readonly now?: () => void;
  /** How to stop it by hand, printed should it be left running. */
  readonly byHand?: string;
}

export interface StopList {
  readonly add: (step: StopStep) => void;
  /**
   * Stops every step, the last added first, each one even when an earlier one failed; rejects
   * naming those that failed, which stay in the list. A call while one runs joins it, and a step
   * added while it runs is stopped by it too.
   */
  readonly stopAll: () => Promise<void>;
  /**
   * Cuts the stopping short: each step left is ended by its `now` where it has one. `underWay` is
   * the step left whose stop had begun (a script it ran may still finish the job).
   */
  readonly cutShort: () => {
    readonly ended: ReadonlyArray<string>;
    readonly left: ReadonlyArray<StopStep>;
    readonly underWay: StopStep | undefined;
  };
  /** The steps not stopped yet (the one being stopped included), last added first. */
  readonly left: () => ReadonlyArray<StopStep>;
}

const messageOf = (cause: unknown) => (cause instanceof Error ? cause.message : String(cause));

export const stopList = (): StopList => {
  const steps: StopStep[] = [];
  const drop = (step: StopStep) => {
    const index = steps.indexOf(step);
    if (index >= 0) steps.splice(index, 1);
  };
  let running: Promise<void> | undefined;
  let stopping: StopStep | undefined;
  const stopAll = () => {
    running ??= (async () => {
      const tried = new Set<StopStep>();
      const failures: string[] = [];
      const nextUntried = () => steps.findLast((step) => !tried.has(step));
      for (let step = nextUntried(); step; step = nextUntried()) {
        tried.add(step);
        stopping = step;
        try {
          await step.stop();
          drop(step);
        } catch (cause) {
          failures.push(`${step.name} (${messageOf(cause)})`);
        } finally {
          stopping = undefined;
        }
      }
      if (failures.length > 0) throw new Error(`could not stop ${failures.join("; ")}`);
    })().finally(() => {
      running = undefined;
    });
    return running;
  };
  const left = () => [...steps].reverse();
  return {
    add: (step) => {
      steps.push(step);
    },
    stopAll,
    cutShort: () => {
      const ended: string[] = [];
      const stillLeft: StopStep[] = [];
      for (const step of left()) {
        if (step.now === undefined) {
          stillLeft.push(step);
          continue;
        }
        try {
          step.now();
          drop(step);
          ended.push(step.name);
        } catch {
          stillLeft.push(step);
        }
      }
      return { ended, left: stillLeft, underWay: stillLeft.find((step) => step === stopping) };
    },
    left,
  };
};

/** What `stopOnSignals` listens on: `process`, or an emitter in tests. */
export interface SignalSource {
  readonly on: (signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void) => unknown;
  readonly removeListener: (signal: NodeJS.Signals, listener: (signal: NodeJS.Signals) => void) => unknown;
}

const describeLeft = (left: ReadonlyArray<StopStep>, underWay?: StopStep) =>
  left
    .map((step) => {
      const name =
        step === underWay ? `${step.name} (its stopping was under way and may still finish)` : step.name;
      return step.byHand ? `${name}: ${step.byHand}` : name;
    })
    .join("; ");

/**
 * On the first SIGINT/SIGTERM: aborts `requested` (so the run stops starting things), stops
 * `stops`, says in one line that it was stopped and exits with 128 + the signal's number. A second
 * signal while that runs stops waiting: it ends what can be ended at once and names, with how to
 * stop it by hand, whatever is left, then exits.
 */
export const stopOnSignals = (options: {
  /** Who is stopped, for the messages: "soak". */
  readonly what: string;
  readonly stops: StopList;
  readonly signals?: ReadonlyArray<NodeJS.Signals>;
  readonly source?: SignalSource;
  readonly say?: (line: string) => void;
  readonly exit?: (code: number) => void;
}): { readonly requested: AbortSignal; readonly dispose: () => void } => {
  const {
    what,
    stops,
    signals = ["SIGINT", "SIGTERM"],
    source = process,
    say = (line: string) => console.error(line),
    exit = (code: number) => process.exit(code),
  } = options;
  const requested = new AbortController();
  let exited = false;
  const exitOnce = (code: number) => {
    if (exited) return;
    exited = true;
    exit(code);
  };
  const onSignal = (signal: NodeJS.Signals) => {
    const code = 128 + (constants.signals[signal] ?? 0);
    if (requested.signal.aborted) {
      const { ended, left, underWay } = stops.cutShort();
      const endedText = ended.length > 0 ? `; killed at once: ${ended.join(", ")}` : "";
      const leftText =
        left.length > 0
          ? `; LEFT RUNNING (stop by hand): ${describeLeft(left, underWay)}`
          : "; nothing left running";
      say(`${what}: stopped by a second ${signal}, not waiting for the stopping${endedText}${leftText}`);
      exitOnce(code);
      return;
    }
    requested.abort(signal);
    const names = stops.left().map((step) => step.name);
    say(
      `${what}: ${signal} received, stopping ${names.length > 0 ? names.join(", ") : "nothing (nothing started yet)"}; a second signal stops waiting`,
    );
    stops.stopAll().then(
      () => {
        say(`${what}: stopped by ${signal}; everything it started is stopped`);
        exitOnce(code);
      },
      (cause) => {
        say(
          `${what}: stopped by ${signal}; ${messageOf(cause)}; LEFT (stop by hand): ${describeLeft(stops.left())}`,
        );
        exitOnce(code);
      },
    );
  };
  for (const signal of signals) source.on(signal, onSignal);
  return {
    requested: requested.signal,
    dispose: () => {
      for (const signal of signals) source.removeListener(signal, onSignal);
    },
  };
};
