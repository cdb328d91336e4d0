// SQLite failures as gradebox errors: a code and a sentence for the operator, the raw SQLite
// message kept only as the cause (it never reaches a client).
import Database from 'better-sqlite3';

import { InternalError } from '../common/errors.js';

function messageFor(code: string, file: string): [string, string] {
  if (code.startsWith('SQLITE_BUSY') || code.startsWith('SQLITE_LOCKED')) {
    return ['E_STORE_BUSY', `the database ${file} stayed locked by another process longer than the busy timeout; retry, or find the process holding it`];
  }
  if (code.startsWith('SQLITE_CORRUPT') || code === 'SQLITE_NOTADB') {
    return ['E_STORE_CORRUPT', `${file} is not a gradebox database or is damaged; restore it from a backup or choose another data dir`];
  }
  if (code.startsWith('SQLITE_CONSTRAINT')) {
    return ['E_STORE_CONSTRAINT', `a rule of the store was broken (${code}); this is a bug in gradebox, please report it`];
  }
  if (/^SQLITE_(CANTOPEN|READONLY|IOERR|FULL|PERM|AUTH)/.test(code)) {
    return ['E_STORE_IO', `cannot read or write the database ${file} (${code}); check the disk space and the permissions of its folder`];
  }
  return ['E_STORE', `the database ${file} failed (${code})`];
}

/** `error` as an InternalError when it came from SQLite, else unchanged. */
export function translateSqliteError(error: unknown, file: string): unknown {
  if (!(error instanceof Database.SqliteError)) return error;
  const [code, message] = messageFor(error.code, file);
  return new InternalError(code, message, { cause: error });
}
