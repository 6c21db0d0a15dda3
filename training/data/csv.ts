/**
 * A small CSV reader for match files: comma separated, optional double-quoted fields with `""`
 * escapes, `\n` or `\r\n` line ends, an optional byte-order mark.
 * @module
 */

/** One physical line of a CSV file, split into fields. */
export interface CsvRecord {
  /** 1-based line number in the file. */
  line: number;
  fields: string[];
  /** Why the line could not be split cleanly; `fields` is then unreliable. */
  error?: "unterminated_quote" | "stray_quote";
}

/**
 * Splits CSV text into records, one per non-blank line. A quoted field may hold commas and `""`
 * but not a line break: match files never contain one, and reading quoted line breaks would let
 * a single unclosed quote swallow every row after it. Malformed lines are returned with an
 * `error` instead of throwing.
 */
export function parseCsv(text: string): CsvRecord[] {
  const records: CsvRecord[] = [];
  const lines = text.replace(/^\uFEFF/, "").split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const raw = lines[i];
    if (raw.trim() === "") continue;
    const { fields, error } = splitLine(raw);
    records.push(error === undefined ? { line: i + 1, fields } : { line: i + 1, fields, error });
  }
  return records;
}

function splitLine(line: string): Omit<CsvRecord, "line"> {
  if (!line.includes('"')) return { fields: line.split(",") };
  const fields: string[] = [];
  let pos = 0;
  while (true) {
    if (line[pos] === '"') {
      let value = "";
      let i = pos + 1;
      while (true) {
        const close = line.indexOf('"', i);
        if (close < 0) return { fields, error: "unterminated_quote" };
        value += line.slice(i, close);
        if (line[close + 1] === '"') {
          value += '"';
          i = close + 2;
          continue;
        }
        pos = close + 1;
        break;
      }
      fields.push(value);
      if (pos === line.length) return { fields };
      if (line[pos] !== ",") return { fields, error: "stray_quote" };
      pos++;
    } else {
      const comma = line.indexOf(",", pos);
      const value = comma < 0 ? line.slice(pos) : line.slice(pos, comma);
      if (value.includes('"')) return { fields, error: "stray_quote" };
      fields.push(value);
      if (comma < 0) return { fields };
      pos = comma + 1;
    }
  }
}
