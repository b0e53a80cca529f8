import type { ComponentChildren } from "preact";
import { BarList, Card, type Datum, Empty } from "./charts.tsx";

// The pieces every dashboard screen repeats: a card that says so when it has nothing to show, and
// the notices of a document still loading or failed to load.

/** A card whose content gives way to a sentence when there is nothing to show (`empty` is then that sentence). */
export const CardOrEmpty = ({
  title,
  id,
  wide = false,
  empty,
  children,
}: {
  readonly title: string;
  readonly id: string;
  readonly wide?: boolean;
  readonly empty: ComponentChildren | false;
  readonly children: ComponentChildren;
}) => (
  <Card title={title} id={id} wide={wide}>
    {empty === false ? children : <Empty>{empty}</Empty>}
  </Card>
);

/** A card holding one bar list, or the sentence when the list is empty. */
export const BarListCard = ({
  title,
  id,
  label,
  data,
  empty,
}: {
  readonly title: string;
  readonly id: string;
  /** The list's accessible name. */
  readonly label: string;
  readonly data: ReadonlyArray<Datum>;
  readonly empty: string;
}) => (
  <CardOrEmpty title={title} id={id} empty={data.length === 0 && empty}>
    <BarList label={label} data={data} />
  </CardOrEmpty>
);

/** `what` names the document in the sentence: "your statistics", "the trends". */
export const Loading = ({ what }: { readonly what: string }) => <p class="muted">Loading {what}…</p>;

export const LoadFailed = ({ what, message }: { readonly what: string; readonly message: string }) => (
  <p class="notice error" role="alert">
    Could not load {what}: {message}
  </p>
);
