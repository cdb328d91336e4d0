// API keys in SQLite: the secret is returned once and only its sha256 is kept. Each key has a
// scope (what it may call) and may expire.
import { UserError } from '../common/errors.js';
import { newKeyId } from './ids.js';
import { checkText, quote } from './input-checks.js';
import { checkKeyOptions } from './key-options.js';
import { hashSecret, makeKeySecret, prefixOf, sameHash } from './key-hash.js';
import { toKeyInfo, type ApiKeyRow } from './rows.js';
import { now, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import { requireCourse } from './sqlite-courses.js';
import type { ApiKeyInfo } from './store.js';
import type { StoreOperations } from './store-operations.js';

function keyInfo(db: SqliteDatabase, id: string): ApiKeyInfo | null {
  const row = db.prepare('SELECT * FROM api_keys WHERE id = ?').get(String(id)) as ApiKeyRow | undefined;
  return row ? toKeyInfo(row) : null;
}

export function apiKeyOperations({ db }: SqliteContext) {
  return {
    createApiKey(courseId, label, options) {
      requireCourse(db, courseId);
      const text = label === undefined ? null : checkText('key label', label, 100);
      const { scope, expiresAt } = checkKeyOptions(options);
      const { secret, prefix, hash } = makeKeySecret(courseId);
      const id = newKeyId();
      db.prepare('INSERT INTO api_keys (id, course_id, label, prefix, scope, secret_sha256, created_at, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)')
        .run(id, courseId, text, prefix, scope, hash, now(), expiresAt);
      return { key: keyInfo(db, id)!, secret };
    },

    /**
     * Finds the key by its visible prefix, then compares the whole secret's hash in constant time,
     * so the time taken tells nothing about how much of a guessed secret was right.
     */
    authenticateKey(secret) {
      const prefix = prefixOf(secret);
      if (prefix === null) return null;
      const hash = hashSecret(secret);
      const rows = db.prepare('SELECT * FROM api_keys WHERE prefix = ? AND revoked_at IS NULL AND (expires_at IS NULL OR expires_at > ?)').all(prefix, now()) as ApiKeyRow[];
      const match = rows.find((row) => sameHash(row.secret_sha256, hash));
      return match ? { keyId: match.id, courseId: match.course_id, scope: match.scope } : null;
    },

    /** Revokes the key (again is fine); an unknown id is a UserError. */
    revokeKey(keyId) {
      const result = db.prepare('UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ?').run(now(), String(keyId));
      if (result.changes === 0) throw new UserError('E_NOT_FOUND', `API key ${quote(keyId)} does not exist; list the course's keys to find its id`);
    },

    listApiKeys(courseId) {
      requireCourse(db, courseId);
      return (db.prepare('SELECT * FROM api_keys WHERE course_id = ? ORDER BY created_at, id').all(courseId) as ApiKeyRow[]).map(toKeyInfo);
    },

    getApiKey: (keyId) => keyInfo(db, keyId),
  } satisfies Partial<StoreOperations>;
}
