// LTI platform registrations (with their deployments) and gradebox's own signing keys, in SQLite.
import { UserError } from '../common/errors.js';
import { quote } from './input-checks.js';
import { checkPlatform } from './lti-checks.js';
import { toKey, toPlatform, type KeyRow, type PlatformRow } from './lti-rows.js';
import { now, writeTransaction, type SqliteDatabase } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import type { LtiKey, LtiPlatform } from './lti-store.js';
import type { StoreOperations } from './store-operations.js';


function withDeployments(db: SqliteDatabase, row: PlatformRow): LtiPlatform {
  return toPlatform(row, db.prepare('SELECT deployment_id FROM lti_deployments WHERE platform_id = ? ORDER BY created_at, deployment_id').pluck().all(row.id) as string[]);
}

export function ltiPlatformOperations({ db }: SqliteContext) {
  const byId = (id: number) => {
    const row = db.prepare('SELECT * FROM lti_platforms WHERE id = ?').get(id) as PlatformRow | undefined;
    return row ? withDeployments(db, row) : null;
  };
  return {
    addLtiPlatform(input) {
      const p = checkPlatform(input);
      return writeTransaction(db, () => {
        const at = now();
        db.prepare(`INSERT INTO lti_platforms (issuer, client_id, auth_url, token_url, jwks_url, created_at) VALUES (?, ?, ?, ?, ?, ?)
          ON CONFLICT (issuer, client_id) DO UPDATE SET auth_url = excluded.auth_url, token_url = excluded.token_url, jwks_url = excluded.jwks_url`)
          .run(p.issuer, p.clientId, p.authUrl, p.tokenUrl, p.jwksUrl, at);
        const id = db.prepare('SELECT id FROM lti_platforms WHERE issuer = ? AND client_id = ?').pluck().get(p.issuer, p.clientId) as number;
        db.prepare('INSERT INTO lti_deployments (platform_id, deployment_id, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING').run(id, p.deploymentId, at);
        return byId(id)!;
      });
    },

    listLtiPlatforms() {
      return (db.prepare('SELECT * FROM lti_platforms ORDER BY id').all() as PlatformRow[]).map((row) => withDeployments(db, row));
    },

    getLtiPlatform: (id) => byId(id),

    findLtiPlatform(issuer, clientId) {
      const rows = (clientId === undefined
        ? db.prepare('SELECT * FROM lti_platforms WHERE issuer = ? ORDER BY id').all(issuer)
        : db.prepare('SELECT * FROM lti_platforms WHERE issuer = ? AND client_id = ?').all(issuer, clientId)) as PlatformRow[];
      if (rows.length > 1) {
        throw new UserError('E_LTI_AMBIGUOUS_PLATFORM', `the issuer ${quote(issuer)} is registered with several client ids; the platform must send client_id with the login`);
      }
      return rows[0] ? withDeployments(db, rows[0]) : null;
    },

    addLtiKey(key, keep) {
      return writeTransaction(db, () => {
        const at = now();
        db.prepare('INSERT INTO lti_keys (kid, private_jwk, public_jwk, created_at) VALUES (?, ?, ?, ?)').run(key.kid, key.privateJwk, key.publicJwk, at);
        // Keys past the newest `keep` are retired: platforms that cached them have had a rotation's time to fetch the new one.
        const live = db.prepare('SELECT kid FROM lti_keys WHERE retired_at IS NULL ORDER BY created_at DESC, rowid DESC').pluck().all() as string[];
        for (const kid of live.slice(Math.max(1, keep))) db.prepare('UPDATE lti_keys SET retired_at = ? WHERE kid = ?').run(at, kid);
        return { ...key, createdAt: at } satisfies LtiKey;
      });
    },

    listLtiKeys() {
      return (db.prepare('SELECT kid, private_jwk, public_jwk, created_at FROM lti_keys WHERE retired_at IS NULL ORDER BY created_at DESC, rowid DESC').all() as KeyRow[])
        .map(toKey);
    },
  } satisfies Partial<StoreOperations>;
}
