import { catalogStoreContract } from "./CatalogStore.contract.ts";
import { CatalogStoreMemory } from "./memory.ts";

catalogStoreContract("in memory", () => CatalogStoreMemory);
