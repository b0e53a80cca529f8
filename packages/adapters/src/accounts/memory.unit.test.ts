import { AccountsStoreMemory } from "./memory.ts";
import { accountsStoreContract } from "./AccountsStore.contract.ts";

accountsStoreContract("in memory", () => AccountsStoreMemory);
