// API keys in PostgreSQL: the secret is returned once and only its sha256 is kept. Each key has a
// scope (what it may call) and may expire.
import { UserError } from '../common/errors.js';
import { newKeyId } from './ids.js';
import { checkText, quote } from './input-checks.js';
import { checkKeyOptions } from './key-options.js';
import { hashSecret, makeKeySecret, prefixOf, sameHash } from './key-hash.js';
import { toKeyInfo, type ApiKeyRow } from './rows.js';
import { now, row, rows } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { requireCourse } from './pg-courses.js';
import type { StoreOperations } from './store-operations.js';

export function apiKeyOperations({ pool }: PgContext) {
  return {
    async createApiKey(courseId, label, options) {
      await requireCourse(pool, courseId);
      const text = label === undefined ? null : checkText('key label', label, 100);
      const { scope, expiresAt } = checkKeyOptions(options);
      const { secret, prefix, hash } = makeKeySecret(courseId);
      const key = await row<ApiKeyRow>(pool, `INSERT INTO api_keys (id, course_id, label, prefix, scope, secret_sha256, created_at, expires_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
        RETURNING *`, [newKeyId(), courseId, text, prefix, scope, hash, now(), expiresAt]);
      return { key: toKeyInfo(key!), secret };
    },

    /**
     * Finds the key by its visible prefix, then compares the whole secret's hash in constant time,
     * so the time taken tells nothing about how much of a guessed secret was right.
     */
    async authenticateKey(secret) {
      const prefix = prefixOf(secret);
      if (prefix === null) return null;
      const hash = hashSecret(secret);
      const candidates = await rows<ApiKeyRow>(pool, 'SELECT * FROM api_keys WHERE prefix = $1 AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > $2)', [prefix, now()]);
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
      return (await rows<ApiKeyRow>(pool, 'SELECT * FROM api_keys WHERE course_id = $1 ORDER BY created_at, id COLLATE "C"', [courseId])).map(toKeyInfo);
    },

    async getApiKey(keyId) {
      const found = await row<ApiKeyRow>(pool, 'SELECT * FROM api_keys WHERE id = $1', [String(keyId)]);
      return found ? toKeyInfo(found) : null;
    },
  } satisfies Partial<StoreOperations>;
}
