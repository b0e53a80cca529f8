import { importJobsStoreContract } from "./ImportJobsStore.contract.ts";
import { ImportJobsStoreMemory } from "./memory.ts";

importJobsStoreContract("in memory", () => ImportJobsStoreMemory);
