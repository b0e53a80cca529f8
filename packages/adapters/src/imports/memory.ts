import type { ImportReport } from "@cinematch/domain";
import { Effect, Layer, Option } from "effect";
import { ImportJobsStore, type ImportJobsStoreService } from "./ImportJobsStore.ts";

export const makeImportJobsStoreMemory = (): ImportJobsStoreService => {
  const reports = new Map<string, { readonly user_id: string; readonly report: ImportReport }>();
  return {
    // A copy, as a database would keep one: the runner goes on changing its own.
    save: (user_id, report) =>
      Effect.sync(() => void reports.set(report.import_id, { user_id, report: structuredClone(report) })),
    get: (user_id, import_id) =>
      Effect.sync(() => {
        const stored = reports.get(import_id);
        return stored === undefined || stored.user_id !== user_id
          ? Option.none()
          : Option.some(structuredClone(stored.report));
      }),
  };
};

export const ImportJobsStoreMemory: Layer.Layer<ImportJobsStore> = Layer.sync(
  ImportJobsStore,
  makeImportJobsStoreMemory,
);
