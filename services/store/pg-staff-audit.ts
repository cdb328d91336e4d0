// The staff audit chain in PostgreSQL: lines made by services/audit/staff-audit.ts, each chained to
// the one before; the table is locked against other appenders for the transaction, so concurrent
// appends (several API processes, the CLI) chain one after another and never to the same line.
import { InternalError } from '../common/errors.js';
import { checkCount, checkLimit } from './input-checks.js';
import { row, rows, writeTransaction } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import type { AuditLine } from './store.js';
import type { StoreOperations } from './store-operations.js';

interface LineRow {
  seq: number;
  course_id: string | null;
  line: string;
}

const toLine = (r: LineRow): AuditLine => ({ seq: Number(r.seq), courseId: r.course_id, line: r.line });

export function staffAuditOperations({ pool }: PgContext) {
  return {
    appendAuditLine(courseId, make) {
      return writeTransaction(pool, async (client) => {
        // Readers go on; a second appender waits here until this line is committed.
        await client.query('LOCK TABLE staff_audit IN SHARE ROW EXCLUSIVE MODE');
        const found = await row<LineRow>(client, 'SELECT * FROM staff_audit ORDER BY seq DESC LIMIT 1');
        const last = found ? toLine(found) : null;
        const next = make(last);
        if (next.seq !== (last?.seq ?? 0) + 1 || typeof next.line !== 'string') {
          throw new InternalError('E_AUDIT_CHAIN', `the next staff audit line must have seq ${(last?.seq ?? 0) + 1}, not ${next.seq}`);
        }
        await client.query('INSERT INTO staff_audit (seq, course_id, line) VALUES ($1, $2, $3)', [next.seq, courseId, next.line]);
        return { seq: next.seq, courseId, line: next.line };
      });
    },

    async readAuditChain(afterSeq, limit) {
      checkCount('audit sequence number', afterSeq, 0);
      return (await rows<LineRow>(pool, 'SELECT * FROM staff_audit WHERE seq > $1 ORDER BY seq LIMIT $2', [afterSeq, checkLimit(limit, 1000, 10_000)])).map(toLine);
    },

    async listAuditLines(query) {
      const where: string[] = [];
      const params: unknown[] = [];
      if (query.courseId !== undefined) { params.push(query.courseId); where.push(`course_id = $${params.length}`); }
      if (query.beforeSeq !== undefined) { params.push(checkCount('audit sequence number', query.beforeSeq, 1)); where.push(`seq < $${params.length}`); }
      params.push(checkLimit(query.limit, 100));
      const found = await rows<LineRow>(pool, `SELECT * FROM staff_audit ${where.length ? `WHERE ${where.join(' AND ')}` : ''} ORDER BY seq DESC LIMIT $${params.length}`, params);
      return found.map(toLine);
    },
  } satisfies Partial<StoreOperations>;
}
