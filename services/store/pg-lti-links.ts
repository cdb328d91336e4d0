// What LTI launches taught gradebox, in PostgreSQL (the twin of sqlite-lti-links.ts): contexts mapped
// onto courses, resource links onto assignments, LTI users with their roles, and learners.
import { toContext, toLink, type ContextRow, type LinkRow } from './lti-rows.js';
import { now, row, rows, writeTransaction, type Queryable } from './pg-connection.js';
import type { PgContext } from './pg-context.js';
import { requireCourse } from './pg-courses.js';
import type { LtiContext, LtiResourceLink } from './lti-store.js';
import type { StoreOperations } from './store-operations.js';


async function findContext(db: Queryable, platformId: number, contextId: string): Promise<LtiContext | null> {
  const found = await row<ContextRow>(db, 'SELECT * FROM lti_contexts WHERE platform_id = $1 AND context_id = $2', [platformId, contextId]);
  return found ? toContext(found) : null;
}

async function findLink(db: Queryable, platformId: number, resourceLinkId: string): Promise<LtiResourceLink | null> {
  const found = await row<LinkRow>(db, 'SELECT * FROM lti_resource_links WHERE platform_id = $1 AND resource_link_id = $2', [platformId, resourceLinkId]);
  return found ? toLink(found) : null;
}

export function ltiLinkOperations({ pool }: PgContext) {
  return {
    linkLtiContext(platformId, contextId, courseId, title = null) {
      return writeTransaction(pool, async (client) => {
        await requireCourse(client, courseId);
        await client.query(`INSERT INTO lti_contexts (platform_id, context_id, course_id, title, created_at) VALUES ($1, $2, $3, $4, $5)
          ON CONFLICT (platform_id, context_id) DO UPDATE SET course_id = excluded.course_id, title = COALESCE(excluded.title, lti_contexts.title)`,
        [platformId, contextId, courseId, title, now()]);
        return (await findContext(client, platformId, contextId))!;
      });
    },

    findLtiContext: (platformId, contextId) => findContext(pool, platformId, contextId),

    async setLtiContextServices(platformId, contextId, lineitemsUrl, membershipsUrl) {
      await pool.query(`UPDATE lti_contexts SET lineitems_url = COALESCE($1, lineitems_url), memberships_url = COALESCE($2, memberships_url)
        WHERE platform_id = $3 AND context_id = $4`, [lineitemsUrl, membershipsUrl, platformId, contextId]);
    },

    saveLtiResourceLink(l) {
      return writeTransaction(pool, async (client) => {
        await client.query(`INSERT INTO lti_resource_links (platform_id, resource_link_id, context_id, course_id, assignment_id, title, lineitem_url, created_at)
          VALUES ($1, $2, $3, $4, $5, $6, $7, $8)
          ON CONFLICT (platform_id, resource_link_id) DO UPDATE SET context_id = excluded.context_id, course_id = excluded.course_id,
            assignment_id = COALESCE(excluded.assignment_id, lti_resource_links.assignment_id), title = COALESCE(excluded.title, lti_resource_links.title),
            lineitem_url = COALESCE(excluded.lineitem_url, lti_resource_links.lineitem_url)`,
        [l.platformId, l.resourceLinkId, l.contextId, l.courseId, l.assignmentId, l.title, l.lineitemUrl, now()]);
        return (await findLink(client, l.platformId, l.resourceLinkId))!;
      });
    },

    findLtiResourceLink: (platformId, resourceLinkId) => findLink(pool, platformId, resourceLinkId),

    async listLtiResourceLinks(platformId, contextId) {
      return (await rows<LinkRow>(pool, 'SELECT * FROM lti_resource_links WHERE platform_id = $1 AND context_id = $2 AND assignment_id IS NOT NULL ORDER BY created_at',
        [platformId, contextId])).map(toLink);
    },

    async saveLtiUser(u) {
      await pool.query(`INSERT INTO lti_users (platform_id, sub, name, email, roles_json, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (platform_id, sub) DO UPDATE SET name = excluded.name, email = excluded.email, roles_json = excluded.roles_json, updated_at = excluded.updated_at`,
      [u.platformId, u.sub, u.name, u.email, JSON.stringify(u.roles), now()]);
    },

    async linkLtiLearner(l) {
      await pool.query(`INSERT INTO lti_learners (course_id, assignment_id, student, platform_id, resource_link_id, updated_at) VALUES ($1, $2, $3, $4, $5, $6)
        ON CONFLICT (course_id, assignment_id, student) DO UPDATE SET platform_id = excluded.platform_id, resource_link_id = excluded.resource_link_id,
          updated_at = excluded.updated_at`, [l.courseId, l.assignmentId, l.student, l.platformId, l.resourceLinkId, now()]);
    },
  } satisfies Partial<StoreOperations>;
}
