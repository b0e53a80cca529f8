import { useState } from "preact/hooks";
import type { StatsWire } from "../../api.ts";
import { Columns, Segmented } from "../../components/charts.tsx";
import { fillPeriods, formatHours, lastN, periodLabel, plural } from "../../view/format.ts";

/** Films or hours per year or month, every period of the range shown (the months: the last 24). */
export const PeriodChart = ({
  data,
  label,
  unit,
}: {
  readonly data: StatsWire["films_per_year"];
  readonly label: string;
  readonly unit: "year" | "month";
}) => {
  const [measure, setMeasure] = useState<"films" | "hours">("films");
  const axis = fillPeriods(data);
  const shown = unit === "month" ? lastN(axis, 24) : axis;
  return (
    <>
      <Segmented
        label={`Show ${label.toLowerCase()} as`}
        options={[
          { value: "films", label: "Films" },
          { value: "hours", label: "Hours" },
        ]}
        value={measure}
        onChange={setMeasure}
      />
      <Columns
        label={label}
        showValues={shown.length <= 24}
        data={shown.map((p) => ({
          key: p.period,
          label: unit === "month" ? periodLabel(p.period).replace(/ (\d{2})(\d{2})$/, " ’$2") : p.period,
          value: measure === "films" ? p.films : p.hours,
          display: measure === "films" ? String(p.films) : formatHours(p.hours).replace(" h", ""),
          description: `${periodLabel(p.period)}: ${plural(p.films, "film")}, ${formatHours(p.hours)}`,
        }))}
      />
      {unit === "month" && axis.length > shown.length ? (
        <p class="muted small">The last 24 months; earlier films are counted in the yearly chart.</p>
      ) : null}
    </>
  );
};
