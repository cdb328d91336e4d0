// API keys in PostgreSQL: the secret is returned once and only its sha256 is kept. Each key has a
// scope (what it may call) and may expire.
import { UserError } from '../common/errors.js';
import { newKeyId } from './ids.js';
import { checkText, quote } from './input-checks.js';
import { checkKeyOptions } from './key-options.js';
import { hashSecret, makeKeySecret, prefixOf, sameHash } from './key-hash.js';
import { now, row, rows } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { requireCourse } from './pg-courses.js';
import type { ApiKeyInfo, KeyScope } from './store.js';
import type { StoreOperations } from './store-operations.js';

interface KeyRow {
  id: string;
  course_id: string;
  label: string | null;
  prefix: string;
  scope: KeyScope;
  secret_sha256: Buffer;
  created_at: string;
  revoked_at: string | null;
  expires_at: string | null;
}

const toInfo = (r: KeyRow): ApiKeyInfo => ({
  id: r.id, courseId: r.course_id, label: r.label, prefix: r.prefix, scope: r.scope,
  createdAt: r.created_at, revokedAt: r.revoked_at, expiresAt: r.expires_at,
});

export function apiKeyOperations({ pool }: PgContext) {
  return {
    async createApiKey(courseId, label, options) {
      await requireCourse(pool, courseId);
      const text = label === undefined ? null : checkText('key label', label, 100);
      const { scope, expiresAt } = checkKeyOptions(options);
      const { secret, prefix, hash } = makeKeySecret(courseId);
      const key = await row<KeyRow>(pool, `INSERT INTO api_keys (id, course_id, label, prefix, scope, secret_sha256, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        RETURNING *`, [newKeyId(), courseId, text, prefix, scope, hash, now(), expiresAt]);
      return { key: toInfo(key!), secret };
    },

    /**
     * Finds the key by its visible prefix, then compares the whole secret's hash in constant time,
     * so the time taken tells nothing about how much of a guessed secret was right.
     */
    async authenticateKey(secret) {
      const prefix = prefixOf(secret);
      if (prefix === null) return null;
      const hash = hashSecret(secret);
      const candidates = await rows<KeyRow>(pool, 'SELECT * FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)', [prefix, now()]);
      const match = candidates.find((r) => sameHash(r.secret_sha256, hash));
      return match ? { keyId: match.id, courseId: match.course_id, scope: match.scope } : null;
    },

    /** Revokes the key (again is fine); an unknown id is a UserError. */
    async revokeKey(keyId) {
      const result = await pool.query('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, $1) WHERE id = $2', [now(), String(keyId)]);
      if (result.rowCount === 0) throw new UserError('E_NOT_FOUND', `API key ${quote(keyId)} does not exist; list the course's keys to find its id`);
    },

    async listApiKeys(courseId) {
      await requireCourse(pool, courseId);
      return (await rows<KeyRow>(pool, 'SELECT * FROM api_keys WHERE course_id = $1 ORDER BY created_at, id COLLATE "C"', [courseId])).map(toInfo);
    },

    async getApiKey(keyId) {
      const found = await row<KeyRow>(pool, 'SELECT * FROM api_keys WHERE id = $1', [String(keyId)]);
      return found ? toInfo(found) : null;
    },
  } satisfies Partial<StoreOperations>;
}
