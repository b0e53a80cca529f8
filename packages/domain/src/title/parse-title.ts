/**
 * A catalog title as written by MovieLens (and by many other catalogs): articles moved to the end
 * (`Misérables, Les`), alternative titles in parentheses, some marked `a.k.a.`, and the year last.
 *
 * `City of Lost Children, The (Cité des enfants perdus, La) (1995)` parses to
 * `{ title: "The City of Lost Children", year: 1995, aliases: ["La Cité des enfants perdus"],
 *    full_title: "The City of Lost Children (La Cité des enfants perdus)" }`.
 */
export interface ParsedTitle {
  /** The main title, article in front: what a person would type or read. */
  readonly title: string;
  /** The year in the last parentheses (the first year of a range such as `(2007-)`), if any. */
  readonly year?: number;
  /** Every alternative title from the parentheses, `a.k.a.` removed, articles in front. */
  readonly aliases: ReadonlyArray<string>;
  /**
   * The title followed by its parenthesised parts that were not marked `a.k.a.`, for titles such as
   * `Human Centipede, The (First Sequence)` where the parentheses are part of the name. Equal to
   * `title` when there are none.
   */
  readonly full_title: string;
}

/** Years a catalog film may have (the Film schema's bounds). */
const minYear = 1870;
const maxYear = 2100;

const trailingYear = /\s*\((\d{4})(?:\s*[-–]\s*(?:\d{4})?)?\)$/u;
const akaPrefix = /^(?:a\.?k\.?a\.?|aka)\s+/iu;

/**
 * Articles that catalogs move behind a comma, in the languages MovieLens uses: English, French,
 * Spanish, Italian, Portuguese, Catalan, German, Dutch and the Scandinavian languages.
 */
const articles = [
  "the",
  "a",
  "an",
  "le",
  "la",
  "les",
  "l'",
  "un",
  "une",
  "el",
  "los",
  "las",
  "una",
  "il",
  "lo",
  "i",
  "gli",
  "uno",
  "o",
  "os",
  "um",
  "uma",
  "els",
  "der",
  "die",
  "das",
  "den",
  "dem",
  "des",
  "ein",
  "eine",
  "de",
  "het",
  "een",
  "det",
  "en",
  "ett",
  "et",
  "da",
];
const articleAtEnd = new RegExp(`^(.*\\S)\\s*,\\s+(${articles.join("|")})$`, "iu");

/** Articles a title may start with, in normalized form (see `normalizeTitle`), for matching. */
export const leadingArticles: ReadonlySet<string> = new Set(articles.map((a) => a.replace("'", "")));

/** `Misérables, Les` → `Les Misérables`; `Uomo delle stelle, L'` → `L'Uomo delle stelle`. */
export const moveArticleToFront = (title: string): string => {
  const match = articleAtEnd.exec(title.trim());
  if (match === null) return title.trim();
  const [, rest = "", article = ""] = match;
  return article.endsWith("'") ? `${article}${rest}` : `${article} ${rest}`;
};

/** Splits `Title (a) (b)` into `Title` and `["a", "b"]`, honouring nested parentheses. */
const peelParentheses = (text: string): { readonly head: string; readonly groups: ReadonlyArray<string> } => {
  let head = text.trim();
  const groups: string[] = [];
  while (head.endsWith(")")) {
    let depth = 0;
    let open = -1;
    for (let i = head.length - 1; i >= 0; i--) {
      const c = head[i];
      if (c === ")") depth++;
      else if (c === "(" && --depth === 0) {
        open = i;
        break;
      }
    }
    const before = open > 0 ? head.slice(0, open).trim() : "";
    if (before === "") break;
    groups.unshift(head.slice(open + 1, -1).trim());
    head = before;
  }
  return { head, groups };
};

/** Parses a catalog title; never fails (a title without year or parentheses is returned as is). */
export const parseTitle = (raw: string): ParsedTitle => {
  let text = raw.replace(/\s+/gu, " ").trim();
  let year: number | undefined;
  const yearMatch = trailingYear.exec(text);
  const parsedYear = yearMatch ? Number(yearMatch[1]) : Number.NaN;
  if (yearMatch && parsedYear >= minYear && parsedYear <= maxYear && yearMatch.index > 0) {
    year = parsedYear;
    text = text.slice(0, yearMatch.index).trim();
  }
  const { head, groups } = peelParentheses(text);
  const title = moveArticleToFront(head);
  const aliases: string[] = [];
  const qualifiers: string[] = [];
  for (const group of groups) {
    const isAka = akaPrefix.test(group);
    const alias = moveArticleToFront(group.replace(akaPrefix, ""));
    if (alias === "") continue;
    if (!aliases.includes(alias)) aliases.push(alias);
    if (!isAka) qualifiers.push(alias);
  }
  const full_title =
    qualifiers.length === 0 ? title : `${title} ${qualifiers.map((q) => `(${q})`).join(" ")}`;
  return year === undefined ? { title, aliases, full_title } : { title, year, aliases, full_title };
};

/** MovieLens `movies.csv` titles follow exactly the conventions `parseTitle` understands. */
export const parseMovieLensTitle = parseTitle;
