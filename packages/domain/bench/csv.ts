// A small RFC 4180 CSV reader for the measurement scripts: quoted fields, doubled quotes inside
// them, commas and line breaks inside quotes, CRLF or LF line ends. Not for the product.

/** Parses CSV text into rows of fields. A trailing line break does not make an empty last row. */
export const parseCsv = (text: string): string[][] => {
  const rows: string[][] = [];
  let row: string[] = [];
  let field = "";
  let quoted = false;
  let i = text.charCodeAt(0) === 0xfeff ? 1 : 0;
  for (; i < text.length; i++) {
    const c = text[i];
    if (quoted) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          field += '"';
          i++;
        } else quoted = false;
      } else field += c;
    } else if (c === '"' && field === "") quoted = true;
    else if (c === ",") {
      row.push(field);
      field = "";
    } else if (c === "\n" || c === "\r") {
      if (c === "\r" && text[i + 1] === "\n") i++;
      row.push(field);
      rows.push(row);
      row = [];
      field = "";
    } else field += c;
  }
  if (field !== "" || row.length > 0) {
    row.push(field);
    rows.push(row);
  }
  return rows;
};

/** Parses CSV with a header row into records keyed by the header's names. */
export const parseCsvRecords = (text: string): Array<Record<string, string>> => {
  const [header, ...rows] = parseCsv(text);
  if (header === undefined) return [];
  return rows.map((fields) => Object.fromEntries(header.map((name, k) => [name, fields[k] ?? ""])));
};
