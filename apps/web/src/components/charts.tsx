/**
 * Hand-made charts: HTML and CSS bars rather than a canvas library. Every label and value is real
 * text (read by screen readers, selectable, translated by the browser), they reflow at any width,
 * and they cost a few hundred bytes instead of a charting library's tens of kilobytes.
 */
import type { ComponentChildren } from "preact";
import { useState } from "preact/hooks";
import { hueOf, initials, posterUrl, scaleMax } from "../view/format.ts";

export interface Datum {
  readonly key: string;
  readonly label: string;
  readonly value: number;
  /** The value as shown (defaults to the number). */
  readonly display?: string;
  /** A longer description for assistive technology and the tooltip. */
  readonly description?: string;
  /** A label that may go unshown on a phone, to leave its neighbours room (half-step ratings). */
  readonly minor?: boolean;
}

/** Past this many columns, every other label (counting back from the last) is minor on a phone. */
const DENSE_COLUMNS = 12;
const isMinor = (data: ReadonlyArray<Datum>, index: number): boolean =>
  data[index]!.minor ?? (data.length > DENSE_COLUMNS && (data.length - 1 - index) % 2 === 1);

/** Horizontal bars, one row per datum: label, bar, value. */
export const BarList = ({ data, label }: { readonly data: ReadonlyArray<Datum>; readonly label: string }) => {
  const max = scaleMax(data.map((d) => d.value));
  return (
    <ul class="bar-list" aria-label={label}>
      {data.map((d) => (
        <li key={d.key} title={d.description}>
          <span class="bar-label">{d.label}</span>
          <span class="bar-track" aria-hidden="true">
            <span class="bar-fill" style={{ width: `${(d.value / max) * 100}%` }} />
          </span>
          <span class="bar-value">{d.display ?? d.value}</span>
          {d.description ? <span class="visually-hidden">{`, ${d.description}`}</span> : null}
        </li>
      ))}
    </ul>
  );
};

/** Vertical columns along an axis (ratings, years, months, decades, weekdays). Scrolls sideways when long. */
export const Columns = ({
  data,
  label,
  showValues = true,
}: {
  readonly data: ReadonlyArray<Datum>;
  readonly label: string;
  readonly showValues?: boolean;
}) => {
  const max = scaleMax(data.map((d) => d.value));
  return (
    <div class="columns-scroll">
      <ol class="columns" aria-label={label} style={{ "--count": String(data.length) }}>
        {data.map((d, index) => (
          <li key={d.key} title={d.description ?? `${d.label}: ${d.display ?? d.value}`}>
            <span class="column-value" aria-hidden="true">
              {showValues && d.value > 0 ? (d.display ?? d.value) : ""}
            </span>
            <span class="column-track" aria-hidden="true">
              <span
                class={d.value > 0 ? "column-fill" : "column-fill empty"}
                style={{ height: `${(d.value / max) * 100}%` }}
              />
            </span>
            <span class={isMinor(data, index) ? "column-label minor" : "column-label"} aria-hidden="true">
              {d.label}
            </span>
            <span class="visually-hidden">{d.description ?? `${d.label}: ${d.display ?? d.value}`}</span>
          </li>
        ))}
      </ol>
    </div>
  );
};

/** A segmented switch: real buttons with `aria-pressed`, one group label. */
export const Segmented = <T extends string>({
  label,
  options,
  value,
  onChange,
}: {
  readonly label: string;
  readonly options: ReadonlyArray<{ readonly value: T; readonly label: string }>;
  readonly value: T;
  readonly onChange: (value: T) => void;
}) => (
  <fieldset class="segmented">
    <legend class="visually-hidden">{label}</legend>
    {options.map((option) => (
      <button
        key={option.value}
        type="button"
        aria-pressed={option.value === value}
        onClick={() => onChange(option.value)}
      >
        {option.label}
      </button>
    ))}
  </fieldset>
);

/** A poster, or a tidy placeholder (initials on a colour of the film's own) when there is none or it fails to load. */
export const Poster = ({
  movieId,
  title,
  path,
  size = "small",
}: {
  readonly movieId: string;
  readonly title: string;
  readonly path: string | null | undefined;
  readonly size?: "small" | "tiny";
}) => {
  const url = posterUrl(path);
  const [failed, setFailed] = useState(false);
  if (url && !failed) {
    return <img class={`poster ${size}`} src={url} alt="" loading="lazy" onError={() => setFailed(true)} />;
  }
  return (
    <span class={`poster placeholder ${size}`} style={{ "--hue": String(hueOf(movieId)) }} aria-hidden="true">
      {initials(title)}
    </span>
  );
};

export const Card = ({
  title,
  children,
  wide = false,
  id,
}: {
  readonly title: string;
  readonly children: ComponentChildren;
  readonly wide?: boolean;
  readonly id?: string;
}) => (
  <section class={wide ? "card wide" : "card"} aria-labelledby={id ? `${id}-title` : undefined}>
    <h3 id={id ? `${id}-title` : undefined}>{title}</h3>
    {children}
  </section>
);

export const Empty = ({ children }: { readonly children: ComponentChildren }) => (
  <p class="empty">{children}</p>
);
