import type { FilmWire } from "../../api.ts";

// How the films screen names a film and reports what happened, in its one status line.

export const filmLabel = (film: FilmWire) => (film.year ? `${film.title} (${film.year})` : film.title);

export type Say = (text: string, error?: boolean) => void;
