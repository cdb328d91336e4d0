// For staff, a failed test's output beside the expected one: the lines around the first line that
// differs, from both, so the dashboard can show where they part. Capped (a program's output can be
// any size); never shown to students (services/api/student-view.ts strips it): it holds the
// expected output, which a hidden or withheld test must not give away.
import type { OutputDiff } from '../protocol/grade-result.js';

/** Lines shown before the first differing one, and in all. */
const BEFORE = 3;
const LINES = 12;
/** Each side's excerpt at most this long. */
export const DIFF_BYTES = 1024;

function excerpt(lines: string[], from: number): string {
  const text = lines.slice(from, from + LINES).join('\n');
  return text.length > DIFF_BYTES ? `${text.slice(0, DIFF_BYTES)}\n[… cut at ${DIFF_BYTES} bytes]` : text;
}

/** The excerpts of both outputs from a few lines before their first differing line (1-based in `first_line`). */
export function outputDiff(expected: string, actual: string): OutputDiff {
  const want = expected.split('\n');
  const got = actual.split('\n');
  let line = 0;
  while (line < want.length && line < got.length && want[line] === got[line]) line++;
  const from = Math.max(0, line - BEFORE);
  return { first_line: line + 1, from_line: from + 1, expected: excerpt(want, from), actual: excerpt(got, from) };
}
