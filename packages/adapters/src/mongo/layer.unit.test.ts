import { describe, expect, it } from "vitest";
import { DuplicateKeyError, isDuplicateKeyError } from "./errors.ts";
import { databaseNameFromUrl } from "./layer.ts";
import { StoreUnavailable } from "../store-errors.ts";

describe("a MongoDB URL", () => {
  it("given a path, when read, then the path is the database name", () => {
    expect(databaseNameFromUrl("mongodb://127.0.0.1:27027/cinematch")).toBe("cinematch");
    expect(databaseNameFromUrl("mongodb://u:p@h1:1,h2:2/stats_db?replicaSet=rs0")).toBe("stats_db");
    expect(databaseNameFromUrl("mongodb+srv://cluster.example.net/prod?retryWrites=true")).toBe("prod");
  });

  it("given no path, when read, then the database is cinematch", () => {
    expect(databaseNameFromUrl("mongodb://127.0.0.1:27017")).toBe("cinematch");
    expect(databaseNameFromUrl("mongodb://127.0.0.1:27017/")).toBe("cinematch");
    expect(databaseNameFromUrl("mongodb://127.0.0.1:27017/?directConnection=true")).toBe("cinematch");
  });
});

describe("a driver error", () => {
  it("given code 11000 on the error or on a bulk write error, when checked, then it is a duplicate key", () => {
    expect(isDuplicateKeyError({ code: 11000 })).toBe(true);
    expect(isDuplicateKeyError({ code: 91, writeErrors: [{ code: 11000 }] })).toBe(true);
    expect(
      isDuplicateKeyError(new StoreUnavailable({ operation: "x", message: "m", cause: { code: 11000 } })),
    ).toBe(true);
    expect(
      isDuplicateKeyError(new DuplicateKeyError({ operation: "x", message: "m", cause: { code: 11000 } })),
    ).toBe(true);
  });

  it("given any other error, when checked, then it is not a duplicate key", () => {
    expect(isDuplicateKeyError({ code: 59 })).toBe(false);
    expect(isDuplicateKeyError(new Error("socket closed"))).toBe(false);
    expect(isDuplicateKeyError(undefined)).toBe(false);
    expect(isDuplicateKeyError(new StoreUnavailable({ operation: "x", message: "m" }))).toBe(false);
  });
});
