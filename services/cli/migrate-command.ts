// `gradebox migrate --from sqlite:PATH --to postgres://… [--blobs DIR]`: moves a SQLite store (a data
// folder, or its gradebox.sqlite) into a new, empty PostgreSQL database, every table and blob file,
// and prints each table's row count and digest (equal on both sides, or nothing is committed).
import { resolve } from 'node:path';

import { dropToServiceUser } from '../account/privileges.js';
import { config } from '../common/config.js';
import { UsageError } from '../common/errors.js';
import { isPostgresUrl } from '../store/pg-connection.js';
import { migrateSqliteToPostgres, reportLines, sourcePaths } from '../store/sqlite-to-postgres.js';
import { parseFlags } from './args.js';

const USAGE = 'usage: gradebox migrate --from sqlite:PATH --to postgres://USER@HOST/DB [--blobs DIR] (PATH: the data folder or its gradebox.sqlite; the target database must be empty)';

export async function migrateCommand(argv: string[], print: (text: string) => void = (t) => process.stdout.write(t)): Promise<number> {
  const { values } = parseFlags(argv, { from: { type: 'string' }, to: { type: 'string' }, blobs: { type: 'string' } });
  if (!values.from?.startsWith('sqlite:') || values.from.length === 'sqlite:'.length) throw new UsageError(`--from must be sqlite:PATH\n${USAGE}`);
  const to = values.to ?? config().databaseUrl;
  if (!to || !isPostgresUrl(to)) throw new UsageError(`--to must be a postgres:// URL (or set DATABASE_URL)\n${USAGE}`);
  const from = resolve(values.from.slice('sqlite:'.length));
  const { dataDir } = sourcePaths(from);
  // As every command that opens the store: the data folder is the service account's, and so are the blobs it writes.
  dropToServiceUser(dataDir);
  const report = await migrateSqliteToPostgres({ from, to, blobDir: values.blobs ? resolve(values.blobs) : config().blobDir });
  for (const line of reportLines(report)) print(`${line}\n`);
  return 0;
}
