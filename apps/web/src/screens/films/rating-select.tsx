import { formatRating, RATING_STEPS } from "../../view/format.ts";

/** A rating from 0.5 to 10 in half steps, or none. */
export const RatingSelect = ({
  id,
  value,
  onChange,
  label,
  disabled = false,
}: {
  readonly id: string;
  readonly value: number | undefined;
  readonly onChange: (rating: number | undefined) => void;
  /** An accessible name, when no visible <label for> names the select. */
  readonly label?: string;
  readonly disabled?: boolean;
}) => (
  <select
    id={id}
    aria-label={label}
    value={value === undefined ? "" : String(value)}
    disabled={disabled}
    onChange={(e) => {
      const raw = e.currentTarget.value;
      onChange(raw === "" ? undefined : Number(raw));
    }}
  >
    <option value="">No rating</option>
    {[...RATING_STEPS].reverse().map((step) => (
      <option key={step} value={String(step)}>
        {formatRating(step)} / 10
      </option>
    ))}
  </select>
);
