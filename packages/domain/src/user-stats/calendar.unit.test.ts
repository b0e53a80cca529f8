import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  formatDay,
  formatMonthKey,
  localDayNumber,
  monthKeyOfDay,
  WEEKDAY_NAMES,
  weekdayIndex,
} from "./calendar.ts";

const at = (iso: string): number => Date.parse(iso);

describe("calendar days at a fixed UTC offset", () => {
  it("given an instant late on New Year's Eve in UTC, when read at UTC+01:00, then it is New Year's Day", () => {
    const day = localDayNumber(at("2023-12-31T23:30:00Z"), 60);
    expect(formatDay(day)).toBe("2024-01-01");
    expect(formatMonthKey(monthKeyOfDay(day))).toBe("2024-01");
    expect(WEEKDAY_NAMES[weekdayIndex(day)]).toBe("Monday");
  });

  it("given an instant early in UTC, when read at UTC-05:00, then it is the previous day", () => {
    const day = localDayNumber(at("2024-03-01T03:00:00Z"), -300);
    expect(formatDay(day)).toBe("2024-02-29");
    expect(WEEKDAY_NAMES[weekdayIndex(day)]).toBe("Thursday");
  });

  it("given instants before 1970, when read, then days and weekdays are still right", () => {
    const day = localDayNumber(at("1969-07-20T20:17:00Z"), 0);
    expect(formatDay(day)).toBe("1969-07-20");
    expect(WEEKDAY_NAMES[weekdayIndex(day)]).toBe("Sunday");
  });

  it("given any instant and offset, when read, then it agrees with Date's UTC getters on the shifted instant", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: Date.UTC(1600, 0, 1), max: Date.UTC(2400, 0, 1) }),
        fc.integer({ min: -840, max: 840 }),
        (epochMs, offset) => {
          const shifted = new Date(epochMs + offset * 60_000);
          const day = localDayNumber(epochMs, offset);
          const mondayFirst = (shifted.getUTCDay() + 6) % 7;
          return (
            formatDay(day) === shifted.toISOString().slice(0, 10) &&
            formatMonthKey(monthKeyOfDay(day)) === shifted.toISOString().slice(0, 7) &&
            weekdayIndex(day) === mondayFirst
          );
        },
      ),
    );
  });
});
