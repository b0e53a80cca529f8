import type { FilmWire } from "../../api.ts";

// How the films screen names a film and reports what happened, in its one status line.

export const filmLabel = (film: FilmWire) => (film.year ? `${film.title} (${film.year})` : film.title);

/** Something the user can do about what the status line says (undo a removal). */
export interface StatusAction {
  readonly label: string;
  readonly run: () => void;
}

export type Say = (text: string, error?: boolean, action?: StatusAction) => void;
