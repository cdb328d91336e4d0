// The staff audit chain in SQLite: lines made by services/audit/staff-audit.ts, each chained to the
// one before; the next line is made inside the write transaction, so concurrent appends (two API
// processes, the CLI) chain one after another and never to the same line.
import { InternalError } from '../common/errors.js';
import { checkCount, checkLimit } from './input-checks.js';
import { writeTransaction, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import type { AuditLine } from './store.js';
import type { StoreOperations } from './store-operations.js';

interface LineRow {
  seq: number;
  course_id: string | null;
  line: string;
}

const toLine = (row: LineRow): AuditLine => ({ seq: row.seq, courseId: row.course_id, line: row.line });

function lastLine(db: SqliteDatabase): AuditLine | null {
  const row = db.prepare('SELECT * FROM staff_audit ORDER BY seq DESC LIMIT 1').get() as LineRow | undefined;
  return row ? toLine(row) : null;
}

export function staffAuditOperations({ db }: SqliteContext) {
  return {
    appendAuditLine(courseId, make) {
      return writeTransaction(db, () => {
        const last = lastLine(db);
        const next = make(last);
        if (next.seq !== (last?.seq ?? 0) + 1 || typeof next.line !== 'string') {
          throw new InternalError('E_AUDIT_CHAIN', `the next staff audit line must have seq ${(last?.seq ?? 0) + 1}, not ${next.seq}`);
        }
        db.prepare('INSERT INTO staff_audit (seq, course_id, line) VALUES (?, ?, ?)').run(next.seq, courseId, next.line);
        return { seq: next.seq, courseId, line: next.line };
      });
    },

    readAuditChain(afterSeq, limit) {
      checkCount('audit sequence number', afterSeq, 0);
      return (db.prepare('SELECT * FROM staff_audit WHERE seq > ? ORDER BY seq LIMIT ?').all(afterSeq, checkLimit(limit, 1000, 10_000)) as LineRow[]).map(toLine);
    },

    listAuditLines(query) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.courseId !== undefined) { where.push('course_id = ?'); params.push(query.courseId); }
      if (query.beforeSeq !== undefined) { where.push('seq < ?'); params.push(checkCount('audit sequence number', query.beforeSeq, 1)); }
      const rows = db.prepare(`SELECT * FROM staff_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT ?`)
        .all(...params, checkLimit(query.limit, 100)) as LineRow[];
      return rows.map(toLine);
    },
  } satisfies Partial<StoreOperations>;
}
