// LTI platform registrations (with their deployments) and gradebox's own signing keys, in PostgreSQL
// (the twin of sqlite-lti-platforms.ts).
import { UserError } from '../common/errors.js';
import { quote } from './input-checks.js';
import { checkPlatform } from './lti-checks.js';
import { toKey, toPlatform, type KeyRow, type PlatformRow } from './lti-rows.js';
import { now, row, rows, writeTransaction, type Queryable } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import type { LtiKey, LtiPlatform } from './lti-store.js';
import type { StoreOperations } from './store-operations.js';


async function withDeployments(db: Queryable, r: PlatformRow): Promise<LtiPlatform> {
  const deployments = await rows<{ deployment_id: string }>(db, 'SELECT deployment_id FROM lti_deployments WHERE platform_id = $1 ORDER BY created_at, deployment_id', [r.id]);
  return toPlatform(r, deployments.map((d) => d.deployment_id));
}

async function byId(db: Queryable, id: number): Promise<LtiPlatform | null> {
  const found = await row<PlatformRow>(db, 'SELECT * FROM lti_platforms WHERE id = $1', [id]);
  return found ? withDeployments(db, found) : null;
}

export function ltiPlatformOperations({ pool }: PgContext) {
  return {
    addLtiPlatform(input) {
      const p = checkPlatform(input);
      return writeTransaction(pool, async (client) => {
        const at = now();
        const { id } = (await row<{ id: number }>(client, `INSERT INTO lti_platforms (issuer, client_id, auth_url, token_url, jwks_url, created_at) VALUES ($1, $2, $3, $4, $5, $6)
          ON CONFLICT (issuer, client_id) DO UPDATE SET auth_url = excluded.auth_url, token_url = excluded.token_url, jwks_url = excluded.jwks_url
          RETURNING id`, [p.issuer, p.clientId, p.authUrl, p.tokenUrl, p.jwksUrl, at]))!;
        await client.query('INSERT INTO lti_deployments (platform_id, deployment_id, created_at) VALUES ($1, $2, $3) ON CONFLICT DO NOTHING', [id, p.deploymentId, at]);
        return (await byId(client, id))!;
      });
    },

    async listLtiPlatforms() {
      const found = await rows<PlatformRow>(pool, 'SELECT * FROM lti_platforms ORDER BY id');
      return Promise.all(found.map((r) => withDeployments(pool, r)));
    },

    getLtiPlatform: (id) => byId(pool, id),

    async findLtiPlatform(issuer, clientId) {
      const found = clientId === undefined
        ? await rows<PlatformRow>(pool, 'SELECT * FROM lti_platforms WHERE issuer = $1 ORDER BY id', [issuer])
        : await rows<PlatformRow>(pool, 'SELECT * FROM lti_platforms WHERE issuer = $1 AND client_id = $2', [issuer, clientId]);
      if (found.length > 1) {
        throw new UserError('E_LTI_AMBIGUOUS_PLATFORM', `the issuer ${quote(issuer)} is registered with several client ids; the platform must send client_id with the login`);
      }
      return found[0] ? withDeployments(pool, found[0]) : null;
    },

    addLtiKey(key, keep) {
      return writeTransaction(pool, async (client) => {
        const at = now();
        await client.query('LOCK TABLE lti_keys IN EXCLUSIVE MODE');
        await client.query('INSERT INTO lti_keys (kid, private_jwk, public_jwk, created_at) VALUES ($1, $2, $3, $4)', [key.kid, key.privateJwk, key.publicJwk, at]);
        const live = await rows<{ kid: string }>(client, 'SELECT kid FROM lti_keys WHERE retired_at IS NULL ORDER BY created_at DESC');
        for (const { kid } of live.slice(Math.max(1, keep))) await client.query('UPDATE lti_keys SET retired_at = $1 WHERE kid = $2', [at, kid]);
        return { ...key, createdAt: at } satisfies LtiKey;
      });
    },

    async listLtiKeys() {
      return (await rows<KeyRow>(pool, 'SELECT kid, private_jwk, public_jwk, created_at FROM lti_keys WHERE retired_at IS NULL ORDER BY created_at DESC'))
        .map(toKey);
    },
  } satisfies Partial<StoreOperations>;
}
