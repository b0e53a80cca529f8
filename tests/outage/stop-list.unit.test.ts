import { EventEmitter } from "node:events";
import { describe, expect, it } from "vitest";
import { type StopStep, stopList, stopOnSignals } from "./stop-list.ts";

/** A step whose stop ends when the test says so (or fails when it says so). */
const heldStep = (name: string, done: string[], extra: Partial<StopStep> = {}) => {
  let finish!: () => void;
  let fail!: (cause: Error) => void;
  const stopped = new Promise<void>((resolve, reject) => {
    finish = resolve;
    fail = reject;
  });
  let calls = 0;
  const step: StopStep = {
    name,
    stop: async () => {
      calls += 1;
      await stopped;
      done.push(name);
    },
    ...extra,
  };
  return { step, finish, fail, calls: () => calls };
};

const quickStep = (name: string, done: string[], extra: Partial<StopStep> = {}): StopStep => ({
  name,
  stop: async () => {
    done.push(name);
  },
  ...extra,
});

/** Lets pending promise callbacks run. */
const settle = () => new Promise((resolve) => setImmediate(resolve));

describe("a stop list", () => {
  describe("given servers then processes added", () => {
    it("when stopped, then the last added stops first and nothing is left", async () => {
      const done: string[] = [];
      const stops = stopList();
      stops.add(quickStep("servers", done));
      stops.add(quickStep("api", done));
      stops.add(quickStep("runner", done));

      await stops.stopAll();

      expect(done).toEqual(["runner", "api", "servers"]);
      expect(stops.left()).toEqual([]);
    });
  });

  describe("given a step whose stop fails", () => {
    it("when stopped, then the steps after it are still stopped and the failure is named and left", async () => {
      const done: string[] = [];
      const stops = stopList();
      stops.add(quickStep("servers", done));
      stops.add({
        name: "api (pid 7)",
        stop: async () => {
          throw new Error("kill ESRCH");
        },
      });
      stops.add(quickStep("runner", done));

      await expect(stops.stopAll()).rejects.toThrow("could not stop api (pid 7) (kill ESRCH)");

      expect(done).toEqual(["runner", "servers"]);
      expect(stops.left().map((step) => step.name)).toEqual(["api (pid 7)"]);
    });
  });

  describe("given a stop already running", () => {
    it("when asked to stop again, then it joins that one: each step stops once", async () => {
      const done: string[] = [];
      const stops = stopList();
      const servers = heldStep("servers", done);
      stops.add(servers.step);

      const first = stops.stopAll();
      const second = stops.stopAll();
      servers.finish();
      await Promise.all([first, second]);

      expect(servers.calls()).toBe(1);
      expect(done).toEqual(["servers"]);
    });

    it("when a step is added meanwhile (a start-up cut off), then that stop stops it too", async () => {
      const done: string[] = [];
      const stops = stopList();
      const servers = heldStep("servers", done);
      stops.add(servers.step);

      const stopping = stops.stopAll();
      stops.add(quickStep("api started late", done));
      servers.finish();
      await stopping;

      expect(done).toEqual(["servers", "api started late"]);
      expect(stops.left()).toEqual([]);
    });
  });

  describe("given a stop cut short", () => {
    it("then steps that can end at once are ended and the others are reported as left", () => {
      const ended: string[] = [];
      const stops = stopList();
      stops.add(quickStep("servers", [], { byHand: "bash down.sh" }));
      stops.add(quickStep("api", [], { now: () => ended.push("api") }));
      stops.add(
        quickStep("runner", [], {
          now: () => {
            throw new Error("EPERM");
          },
        }),
      );

      const result = stops.cutShort();

      expect(ended).toEqual(["api"]);
      expect(result.ended).toEqual(["api"]);
      expect(result.left.map((step) => step.name)).toEqual(["runner", "servers"]);
      expect(result.underWay).toBeUndefined();
      expect(stops.left().map((step) => step.name)).toEqual(["runner", "servers"]);
    });
  });
});

/** A bench process as the signal handler sees it: signals come from an emitter, exit is recorded. */
const benchWith = (stops: ReturnType<typeof stopList>) => {
  const source = new EventEmitter();
  const said: string[] = [];
  const exits: number[] = [];
  const handler = stopOnSignals({
    what: "soak",
    stops,
    source,
    say: (line) => said.push(line),
    exit: (code) => exits.push(code),
  });
  const signal = (name: NodeJS.Signals) => source.emit(name, name);
  return { handler, said, exits, signal, source };
};

describe("a bench stopped by signals", () => {
  describe("given it runs with servers and processes", () => {
    it("when SIGTERM comes, then the run is told to stop, everything stops, and it exits 143 saying so", async () => {
      const done: string[] = [];
      const stops = stopList();
      stops.add(quickStep("servers", done));
      stops.add(quickStep("api", done));
      const bench = benchWith(stops);

      bench.signal("SIGTERM");
      expect(bench.handler.requested.aborted).toBe(true);
      await settle();

      expect(done).toEqual(["api", "servers"]);
      expect(bench.exits).toEqual([143]);
      expect(bench.said.at(-1)).toBe("soak: stopped by SIGTERM; everything it started is stopped");
    });

    it("when SIGINT (Ctrl-C) comes, then it exits 130 once everything is stopped, not before", async () => {
      const done: string[] = [];
      const stops = stopList();
      const servers = heldStep("servers", done);
      stops.add(servers.step);
      const bench = benchWith(stops);

      bench.signal("SIGINT");
      await settle();
      expect(bench.exits).toEqual([]);
      servers.finish();
      await settle();

      expect(done).toEqual(["servers"]);
      expect(bench.exits).toEqual([130]);
      expect(bench.said.at(-1)).toBe("soak: stopped by SIGINT; everything it started is stopped");
    });
  });

  describe("given a step whose stop fails", () => {
    it("when SIGTERM comes, then it still exits non-zero, naming what is left and how to stop it", async () => {
      const stops = stopList();
      stops.add({
        name: "private servers in /x",
        stop: async () => {
          throw new Error("down.sh failed");
        },
        byHand: "bash down.sh --wipe",
      });
      const bench = benchWith(stops);

      bench.signal("SIGTERM");
      await settle();

      expect(bench.exits).toEqual([143]);
      expect(bench.said.at(-1)).toBe(
        "soak: stopped by SIGTERM; could not stop private servers in /x (down.sh failed); LEFT (stop by hand): private servers in /x: bash down.sh --wipe",
      );
    });
  });

  describe("given it is stopping after a first signal", () => {
    it("when a second signal comes, then it ends what it can at once, names what is left, and exits without waiting", async () => {
      const killed: string[] = [];
      const stops = stopList();
      const servers = heldStep("private servers in /x", [], { byHand: "bash down.sh --wipe" });
      stops.add(servers.step);
      stops.add(quickStep("soak-api (pid 7)", [], { now: () => killed.push("api") }));
      const bench = benchWith(stops);

      bench.signal("SIGINT");
      await settle();
      bench.signal("SIGINT");

      expect(killed).toEqual([]); // the api had stopped already, before the servers' turn
      expect(bench.exits).toEqual([130]);
      expect(bench.said.at(-1)).toBe(
        "soak: stopped by a second SIGINT, not waiting for the stopping; LEFT RUNNING (stop by hand): private servers in /x (its stopping was under way and may still finish): bash down.sh --wipe",
      );

      servers.finish();
      await settle();
      expect(bench.exits).toEqual([130]);
    });

    it("when a second signal comes while processes are still stopping, then they are killed at once", async () => {
      const killed: string[] = [];
      const stops = stopList();
      stops.add(quickStep("servers", [], { byHand: "bash down.sh --wipe" }));
      const api = heldStep("soak-api (pid 7)", [], { now: () => killed.push("api") });
      stops.add(api.step);
      const bench = benchWith(stops);

      bench.signal("SIGTERM");
      bench.signal("SIGTERM");

      expect(killed).toEqual(["api"]);
      expect(bench.said.at(-1)).toBe(
        "soak: stopped by a second SIGTERM, not waiting for the stopping; killed at once: soak-api (pid 7); LEFT RUNNING (stop by hand): servers: bash down.sh --wipe",
      );
      expect(bench.exits).toEqual([143]);
    });
  });

  describe("given nothing started yet", () => {
    it("when SIGTERM comes, then it exits 143 at once", async () => {
      const bench = benchWith(stopList());

      bench.signal("SIGTERM");
      await settle();

      expect(bench.exits).toEqual([143]);
      expect(bench.said[0]).toMatch(/stopping nothing/);
    });
  });

  describe("given the handler disposed", () => {
    it("when a signal comes, then it no longer listens", () => {
      const bench = benchWith(stopList());
      bench.handler.dispose();

      expect(bench.source.listenerCount("SIGTERM")).toBe(0);
      expect(bench.source.listenerCount("SIGINT")).toBe(0);
    });
  });
});
