/**
 * A CSV reader for catalog files (RFC 4180 and the common deviations): fields in double quotes may
 * hold commas, doubled quotes and line breaks; CRLF, LF or CR line ends; a UTF-8 byte-order mark is
 * ignored; blank lines are skipped. Every record says on which line of the file it starts, so a
 * problem can be reported as `line 42: ...`.
 *
 * It never stops at the first problem. A quoted field that is never closed (or that runs over line
 * ends and then closes in the middle of a field: a stray quote that swallowed the next lines) is
 * reported at the line where it opened, that record is dropped, and reading resumes on the next
 * line, so the lines after it are still checked. Text after a closing quote (`"abc"def`) makes that record bad
 * (reported, not returned). A lone quote inside an unquoted field (`12" Vinyl`) is kept as text, as
 * most writers of CSV expect.
 */

export interface CsvRecord {
  /** 1-based line of the file on which the record starts. */
  readonly line: number;
  readonly fields: ReadonlyArray<string>;
}

export interface CsvProblem {
  readonly line: number;
  readonly message: string;
}

export interface CsvParse {
  readonly records: ReadonlyArray<CsvRecord>;
  readonly problems: ReadonlyArray<CsvProblem>;
}

const QUOTE = 34;
const COMMA = 44;
const LF = 10;
const CR = 13;

/** Parses the whole text. */
export const parseCsv = (input: string): CsvParse => {
  const text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  const records: CsvRecord[] = [];
  const problems: CsvProblem[] = [];
  const length = text.length;

  let i = 0;
  let line = 1;

  // A quoted field that was never closed is read again from here as plain text.
  let literalQuoteAt = -1;

  while (i < length) {
    const recordStart = i;
    const recordLine = line;
    const fields: string[] = [];
    let field = "";
    let bad: string | undefined;
    let unclosed = false;

    // One record.
    for (;;) {
      if (i < length && text.charCodeAt(i) === QUOTE && field === "" && i !== literalQuoteAt) {
        // Quoted field.
        const openLine = line;
        const openAt = i;
        i++;
        let closed = false;
        let value = "";
        let chunkStart = i;
        while (i < length) {
          const c = text.charCodeAt(i);
          if (c === QUOTE) {
            if (text.charCodeAt(i + 1) === QUOTE) {
              value += text.slice(chunkStart, i + 1);
              i += 2;
              chunkStart = i;
              continue;
            }
            value += text.slice(chunkStart, i);
            i++;
            closed = true;
            break;
          }
          if (c === LF || (c === CR && text.charCodeAt(i + 1) !== LF)) line++;
          i++;
        }
        if (!closed) {
          problems.push({ line: openLine, message: "a quoted field opens here and is never closed" });
          // Resume on the line of the opening quote, reading that quote as text; the lines the
          // runaway field swallowed are read again.
          i = recordStart;
          line = recordLine;
          literalQuoteAt = openAt;
          unclosed = true;
          break;
        }
        field = value;
        // After the closing quote: a delimiter, a line end, or the end of the text.
        const next = i < length ? text.charCodeAt(i) : -1;
        const garbage = next !== COMMA && next !== LF && next !== CR && next !== -1;
        if (garbage && line > openLine) {
          // A quote that ran over line ends and then closed in the middle of a field was a stray
          // quote that swallowed the lines after it: treat it like one that never closes.
          problems.push({
            line: openLine,
            message: `a quoted field opens here and is not closed properly (the quote that ends it, on line ${line}, is followed by more text)`,
          });
          i = recordStart;
          line = recordLine;
          literalQuoteAt = openAt;
          unclosed = true;
          break;
        }
        if (garbage) {
          bad ??= `text after the closing quote of field ${fields.length + 1}`;
          // Keep the rest of the field, so the reader stays aligned with the delimiters.
          while (i < length) {
            const c = text.charCodeAt(i);
            if (c === COMMA || c === LF || c === CR) break;
            i++;
          }
        }
      } else {
        // Unquoted field: up to the next delimiter or line end.
        const start = i;
        while (i < length) {
          const c = text.charCodeAt(i);
          if (c === COMMA || c === LF || c === CR) break;
          i++;
        }
        field = text.slice(start, i);
      }

      fields.push(field);
      field = "";
      if (i >= length) break;
      const c = text.charCodeAt(i);
      if (c === COMMA) {
        i++;
        // A delimiter at the very end of the text ends the record with one empty field.
        if (i >= length) {
          fields.push("");
          break;
        }
        continue;
      }
      // Line end.
      i += c === CR && text.charCodeAt(i + 1) === LF ? 2 : 1;
      line++;
      break;
    }

    if (unclosed) continue;
    if (literalQuoteAt >= recordStart && literalQuoteAt < i) {
      // The record that held the unclosed quote, read again: already reported, not returned.
      literalQuoteAt = -1;
      continue;
    }
    const blank = fields.length === 1 && fields[0] === "" && text.charCodeAt(recordStart) !== QUOTE;
    if (blank) continue;
    if (bad !== undefined) problems.push({ line: recordLine, message: bad });
    else records.push({ line: recordLine, fields });
  }

  problems.sort((a, b) => a.line - b.line);
  return { records, problems };
};

/** A header-keyed view of the records: looks fields up by column name, checking the field count. */
export interface CsvTable {
  readonly header: ReadonlyArray<string>;
  readonly rows: ReadonlyArray<CsvRecord>;
  readonly problems: ReadonlyArray<CsvProblem>;
}

/**
 * Splits off the header and checks that every row has as many fields as it. `required` names the
 * columns the caller reads; a missing one is a problem at line 1 (and then there are no rows).
 */
export const csvTable = (
  parse: CsvParse,
  required: ReadonlyArray<string>,
): CsvTable & { readonly column: (name: string) => number } => {
  const [head, ...rest] = parse.records;
  const problems: CsvProblem[] = [...parse.problems];
  const header = (head?.fields ?? []).map((name) => name.trim());
  const index = new Map(header.map((name, k) => [name, k]));
  const column = (name: string) => index.get(name) ?? -1;
  if (head === undefined) {
    problems.push({ line: 1, message: "the file is empty (expected a header line)" });
    return { header, rows: [], problems, column };
  }
  const missing = required.filter((name) => !index.has(name));
  if (missing.length > 0) {
    problems.push({
      line: head.line,
      message: `the header lacks ${missing.map((m) => JSON.stringify(m)).join(", ")} (found ${header.map((h) => JSON.stringify(h)).join(", ")})`,
    });
    return { header, rows: [], problems: problems.sort((a, b) => a.line - b.line), column };
  }
  const rows: CsvRecord[] = [];
  for (const record of rest) {
    if (record.fields.length !== header.length) {
      problems.push({
        line: record.line,
        message: `${record.fields.length} fields where the header has ${header.length}`,
      });
    } else rows.push(record);
  }
  return { header, rows, problems: problems.sort((a, b) => a.line - b.line), column };
};
