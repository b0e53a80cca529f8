/**
 * Entries with events queued by the publisher or published and not yet cleared, and the relay's own
 * claims, each with how many holders: the relay leaves them alone (it would publish them a second
 * time).
 */
export const makeInFlightEntries = () => {
  const holders = new Map<string, number>();
  return {
    has: (key: string) => holders.has(key),
    hold: (key: string) => {
      holders.set(key, (holders.get(key) ?? 0) + 1);
    },
    release: (key: string) => {
      const count = (holders.get(key) ?? 1) - 1;
      if (count <= 0) holders.delete(key);
      else holders.set(key, count);
    },
  };
};
