// PostgreSQL failures as gradebox errors, with the same codes as SQLite's (sqlite-errors.ts): a code
// and a sentence for the operator naming the database (never its password), the raw message kept
// only as the cause (it never reaches a client).
import pg from 'pg';

import { InternalError } from '../common/errors.js';

/** Node's own errors when no connection can be made (the server is down, the socket missing). */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ENOENT', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'ECONNRESET', 'EPIPE', 'EAI_AGAIN', 'ENOTFOUND']);

/** SQLSTATE classes and codes (PostgreSQL's appendix "Error Codes") → a gradebox code and a sentence. */
function messageFor(code: string, where: string): [string, string] {
  if (code === '40P01' || code === '40001' || code === '55P03' || code === '57014') {
    return ['E_STORE_BUSY', `the database ${where} kept a lock longer than allowed (${code}); retry, or find the session holding it (pg_stat_activity)`];
  }
  if (code.startsWith('23')) return ['E_STORE_CONSTRAINT', `a rule of the store was broken (${code}); this is a bug in gradebox, please report it`];
  if (code.startsWith('28')) {
    return ['E_STORE_AUTH', `the database ${where} refused the login (${code}); check the user and password in DATABASE_URL and the server's pg_hba.conf`];
  }
  if (code === '3D000') return ['E_STORE_UNAVAILABLE', `the database of ${where} does not exist; create it (createdb) or fix DATABASE_URL`];
  if (code.startsWith('08') || code === '57P01' || code === '57P02' || code === '57P03' || UNREACHABLE.has(code)) {
    return ['E_STORE_UNAVAILABLE', `cannot reach the database ${where} (${code}); check that PostgreSQL runs there and DATABASE_URL names it`];
  }
  if (code === 'XX001' || code === 'XX002') return ['E_STORE_CORRUPT', `the database ${where} reports damaged data (${code}); restore it from a backup`];
  if (code.startsWith('53') || code === '42501') {
    return ['E_STORE_IO', `the database ${where} cannot write (${code}); check its disk space and the rights of its user`];
  }
  return ['E_STORE', `the database ${where} failed (${code})`];
}

/** `error` as an InternalError when it came from PostgreSQL or the connection to it, else unchanged. */
export function translatePgError(error: unknown, where: string): unknown {
  const code = (error as { code?: unknown } | null)?.code;
  const fromDatabase = error instanceof pg.DatabaseError;
  if (!fromDatabase && !(typeof code === 'string' && UNREACHABLE.has(code))) {
    // node-postgres's own failures (a connection ended under a query) carry no code.
    if (error instanceof Error && /Connection terminated|connection timeout|Client has encountered a connection error/i.test(error.message)) {
      return new InternalError('E_STORE_UNAVAILABLE', `lost the connection to the database ${where}; check that PostgreSQL runs there`, { cause: error });
    }
    return error;
  }
  const [gradeboxCode, message] = messageFor(String(code), where);
  return new InternalError(gradeboxCode, message, { cause: error });
}
