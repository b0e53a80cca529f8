/**
 * The watchlist store's writer, read from the API's `/metrics` around a phase: how busy it was and
 * what a document cost it, by kind. This is where the API's write time goes (its CPU profile shows
 * it mostly waiting), measured inside the API rather than guessed from the outside.
 */
const KINDS = ["insert", "update", "clear"] as const;
type Kind = (typeof KINDS)[number];

interface WriterReading {
  readonly at: number;
  readonly seconds: Record<Kind, number>;
  readonly calls: Record<Kind, number>;
  readonly documents: Record<Kind, number>;
}

const family = (text: string, name: string): Record<Kind, number> => {
  const values = {} as Record<Kind, number>;
  for (const kind of KINDS) {
    const match = new RegExp(`^${name}\\{kind="${kind}"\\} (\\S+)$`, "m").exec(text);
    if (match === null) throw new Error(`/metrics has no ${name}{kind="${kind}"}`);
    values[kind] = Number(match[1]);
  }
  return values;
};

export const readWriter = async (apiUrl: string): Promise<WriterReading> => {
  const text = await (await fetch(`${apiUrl}/metrics`)).text();
  return {
    at: performance.now(),
    seconds: family(text, "cinematch_store_write_seconds_total"),
    calls: family(text, "cinematch_store_write_calls_total"),
    documents: family(text, "cinematch_store_written_documents_total"),
  };
};

/** One table row: the writer between two readings (a phase's start and its backlog empty). */
export const writerBetween = (phase: string, from: WriterReading, to: WriterReading) => {
  const interval = (to.at - from.at) / 1000;
  const delta = (of: (r: WriterReading) => Record<Kind, number>, kind: Kind) => of(to)[kind] - of(from)[kind];
  const busy = KINDS.reduce((sum, kind) => sum + delta((r) => r.seconds, kind), 0);
  const perDocument = (kind: Kind) => {
    const documents = delta((r) => r.documents, kind);
    return documents === 0 ? "" : ((1000 * delta((r) => r.seconds, kind)) / documents).toFixed(2);
  };
  const perCall = (kind: Kind) => {
    const calls = delta((r) => r.calls, kind);
    return calls === 0 ? "" : (delta((r) => r.documents, kind) / calls).toFixed(1);
  };
  return {
    phase,
    seconds: interval.toFixed(1),
    "writer busy %": ((100 * busy) / interval).toFixed(0),
    "clearing share of it %": busy === 0 ? "" : ((100 * delta((r) => r.seconds, "clear")) / busy).toFixed(0),
    "insert ms/entry": perDocument("insert"),
    "clear ms/entry": perDocument("clear"),
    "update ms/entry": perDocument("update"),
    "entries per insert call": perCall("insert"),
    "entries per clear call": perCall("clear"),
  };
};
