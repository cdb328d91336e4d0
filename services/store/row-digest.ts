// A table's rows as one sha256, the same for SQLite and PostgreSQL holding the same data: each row a
// JSON line of its values in a fixed column order, the rows in primary-key order (bytewise for
// text, as SQLite sorts). Values are made comparable first: bytes as hex, booleans as 1/0 (SQLite
// keeps them as integers); times and JSON already read back as the same text on both.
import { createHash, type Hash } from 'node:crypto';

function canonical(value: unknown): unknown {
  if (Buffer.isBuffer(value)) return `\\x${value.toString('hex')}`;
  if (typeof value === 'boolean') return value ? 1 : 0;
  if (typeof value === 'bigint') return Number(value);
  return value;
}

export class RowDigest {
  private readonly hash: Hash = createHash('sha256');
  rows = 0;

  constructor(private readonly columns: readonly string[]) {}

  add(row: Record<string, unknown>): void {
    this.hash.update(`${JSON.stringify(this.columns.map((c) => canonical(row[c])))}\n`);
    this.rows++;
  }

  hex(): string {
    return this.hash.copy().digest('hex');
  }
}
