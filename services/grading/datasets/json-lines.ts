// Reads a dataset file of JSON lines (optionally gzip-compressed) and checks each row with a schema.
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import type { z } from 'zod';

import { UserError } from '../../common/errors.js';
import { fieldPath } from '../../common/file-labels.js';

/** The rows of `path`, each checked by `schema`; errors name the file, the line and the field. */
export function readJsonLines<T>(path: string, schema: z.ZodType<T>, what: string): T[] {
  let bytes: Buffer;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new UserError('E_DATASET', `${path}: cannot read it (${(error as NodeJS.ErrnoException).code ?? 'error'}); give the ${what} file with --data`);
  }
  // Gzip by its magic number, not its name: HumanEval ships as .jsonl.gz, MBPP as plain .jsonl.
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = gunzipSync(bytes);
    } catch (error) {
      throw new UserError('E_DATASET', `${path}: a damaged gzip file (${(error as Error).message}); download the ${what} file again`);
    }
  }
  const rows: T[] = [];
  bytes.toString('utf8').split('\n').forEach((line, i) => {
    if (line.trim() === '') return;
    let value: unknown;
    try {
      value = JSON.parse(line);
    } catch {
      throw new UserError('E_DATASET', `${path}:${i + 1}: not JSON; is this the ${what} file (one JSON object per line)?`);
    }
    const parsed = schema.safeParse(value);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new UserError('E_DATASET', `${path}:${i + 1}: field ${fieldPath(issue?.path ?? [])}: ${issue?.message ?? 'invalid'}; is this the ${what} file?`);
    }
    rows.push(parsed.data);
  });
  if (rows.length === 0) throw new UserError('E_DATASET', `${path}: no rows; give the ${what} file with --data`);
  return rows;
}
