// The benchmarks' freshness figure: how long each published event took to become visible, in the
// trends (which count events in publication order) and in its user's statistics.

export class FreshnessLedger {
  readonly trendsLatency: Array<number> = [];
  readonly statsLatency: Array<number> = [];
  /** Events published so far (indexes 0 to published - 1). */
  published = 0;
  private readonly publishedAt: Array<number>;
  /** user → indexes of their events, in publication order. */
  private readonly userEvents = new Map<string, Array<number>>();
  private readonly statsSeenPerUser = new Map<string, number>();
  private trendsSeen = 0;
  private statsSeen = 0;

  /** Published events of users whose statistics are watched. */
  private statsWatched = 0;

  /**
   * `watchStats`: the users whose statistics are watched (all by default). Watching a sample keeps
   * the watcher's own reads from loading the server it measures.
   */
  private readonly watchStats: (user: string) => boolean;

  constructor(total: number, watchStats: (user: string) => boolean = () => true) {
    this.publishedAt = new Array(total);
    this.watchStats = watchStats;
  }

  /** Event `index`, of `user`, was acknowledged at `now` (call in index order, then `publishedUpTo`). */
  notePublished(index: number, user: string, now: number): void {
    this.publishedAt[index] = now;
    if (!this.watchStats(user)) return;
    this.statsWatched += 1;
    const list = this.userEvents.get(user) ?? [];
    list.push(index);
    this.userEvents.set(user, list);
  }

  publishedUpTo(count: number): void {
    this.published = count;
  }

  /** The trends count `count` of this phase's events at `now`. */
  trendsCount(count: number, now: number): void {
    for (; this.trendsSeen < Math.min(count, this.published); this.trendsSeen++) {
      this.trendsLatency.push(now - this.publishedAt[this.trendsSeen]!);
    }
  }

  /** The users with events their statistics do not show yet. */
  usersWaiting(): Array<string> {
    return [...this.userEvents]
      .filter(([user, list]) => (this.statsSeenPerUser.get(user) ?? 0) < list.length)
      .map(([user]) => user);
  }

  /** `user`'s statistics count `visible` of their events at `now`. */
  statsCount(user: string, visible: number, now: number): void {
    const indexes = this.userEvents.get(user) ?? [];
    const from = this.statsSeenPerUser.get(user) ?? 0;
    const to = Math.min(visible, indexes.length);
    for (let k = from; k < to; k++) this.statsLatency.push(now - this.publishedAt[indexes[k]!]!);
    if (to > from) {
      this.statsSeen += to - from;
      this.statsSeenPerUser.set(user, to);
    }
  }

  get trendsCaughtUp(): boolean {
    return this.trendsSeen >= this.published;
  }

  /** Whether the watched users' statistics show all their published events. */
  get statsCaughtUp(): boolean {
    return this.statsSeen >= this.statsWatched;
  }

  /** Events whose visibility in the statistics is measured (all, unless a sample is watched). */
  get statsMeasured(): number {
    return this.statsWatched;
  }
}
