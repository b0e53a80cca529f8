import { WatchlistStoreMemory } from "./memory.ts";
import { watchlistStoreContract } from "./WatchlistStore.contract.ts";

watchlistStoreContract("in memory", () => WatchlistStoreMemory);
