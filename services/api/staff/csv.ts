// CSV (RFC 4180) of values a student may have chosen (their id in the course): every field quoted,
// and one that a spreadsheet would run as a formula (=, +, -, @, a tab or a return first) made
// plain text with a leading ' (OWASP: CSV injection).
const FORMULA = /^[=+\-@\t\r]/;

function field(value: string | number | null): string {
  if (value === null) return '';
  if (typeof value === 'number') return String(value);
  const text = FORMULA.test(value) ? `'${value}` : value;
  return `"${text.replaceAll('"', '""')}"`;
}

export function csvLine(values: Array<string | number | null>): string {
  return `${values.map(field).join(',')}\r\n`;
}
