// What LTI launches taught gradebox, in SQLite: LMS contexts mapped onto courses (with the service
// URLs they named), resource links mapped onto assignments, LTI users with their roles, and the
// learners whose submissions pass back to a resource link.
import { requireCourse } from './sqlite-courses.js';
import { toContext, toLink, type ContextRow, type LinkRow } from './lti-rows.js';
import { now, writeTransaction } from './sqlite-connection.js';
import type { SqliteContext } from './sqlite-context.js';
import type { StoreOperations } from './store-operations.js';


export function ltiLinkOperations({ db }: SqliteContext) {
  const findContext = (platformId: number, contextId: string) => {
    const row = db.prepare('SELECT * FROM lti_contexts WHERE platform_id = ? AND context_id = ?').get(platformId, contextId) as ContextRow | undefined;
    return row ? toContext(row) : null;
  };
  const findLink = (platformId: number, resourceLinkId: string) => {
    const row = db.prepare('SELECT * FROM lti_resource_links WHERE platform_id = ? AND resource_link_id = ?').get(platformId, resourceLinkId) as LinkRow | undefined;
    return row ? toLink(row) : null;
  };
  return {
    linkLtiContext(platformId, contextId, courseId, title = null) {
      return writeTransaction(db, () => {
        requireCourse(db, courseId);
        db.prepare(`INSERT INTO lti_contexts (platform_id, context_id, course_id, title, created_at) VALUES (?, ?, ?, ?, ?)
          ON CONFLICT (platform_id, context_id) DO UPDATE SET course_id = excluded.course_id, title = COALESCE(excluded.title, lti_contexts.title)`)
          .run(platformId, contextId, courseId, title, now());
        return findContext(platformId, contextId)!;
      });
    },

    findLtiContext: (platformId, contextId) => findContext(platformId, contextId),

    setLtiContextServices(platformId, contextId, lineitemsUrl, membershipsUrl) {
      db.prepare(`UPDATE lti_contexts SET lineitems_url = COALESCE(?, lineitems_url), memberships_url = COALESCE(?, memberships_url)
        WHERE platform_id = ? AND context_id = ?`).run(lineitemsUrl, membershipsUrl, platformId, contextId);
    },

    saveLtiResourceLink(l) {
      return writeTransaction(db, () => {
        db.prepare(`INSERT INTO lti_resource_links (platform_id, resource_link_id, context_id, course_id, assignment_id, title, lineitem_url, created_at)
          VALUES (?, ?, ?, ?, ?, ?, ?, ?)
          ON CONFLICT (platform_id, resource_link_id) DO UPDATE SET context_id = excluded.context_id, course_id = excluded.course_id,
            assignment_id = COALESCE(excluded.assignment_id, lti_resource_links.assignment_id), title = COALESCE(excluded.title, lti_resource_links.title),
            lineitem_url = COALESCE(excluded.lineitem_url, lti_resource_links.lineitem_url)`)
          .run(l.platformId, l.resourceLinkId, l.contextId, l.courseId, l.assignmentId, l.title, l.lineitemUrl, now());
        return findLink(l.platformId, l.resourceLinkId)!;
      });
    },

    findLtiResourceLink: (platformId, resourceLinkId) => findLink(platformId, resourceLinkId),

    listLtiResourceLinks(platformId, contextId) {
      return (db.prepare('SELECT * FROM lti_resource_links WHERE platform_id = ? AND context_id = ? AND assignment_id IS NOT NULL ORDER BY created_at')
        .all(platformId, contextId) as LinkRow[]).map(toLink);
    },

    saveLtiUser(u) {
      db.prepare(`INSERT INTO lti_users (platform_id, sub, name, email, roles_json, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (platform_id, sub) DO UPDATE SET name = excluded.name, email = excluded.email, roles_json = excluded.roles_json, updated_at = excluded.updated_at`)
        .run(u.platformId, u.sub, u.name, u.email, JSON.stringify(u.roles), now());
    },

    linkLtiLearner(l) {
      db.prepare(`INSERT INTO lti_learners (course_id, assignment_id, student, platform_id, resource_link_id, updated_at) VALUES (?, ?, ?, ?, ?, ?)
        ON CONFLICT (course_id, assignment_id, student) DO UPDATE SET platform_id = excluded.platform_id, resource_link_id = excluded.resource_link_id,
          updated_at = excluded.updated_at`)
        .run(l.courseId, l.assignmentId, l.student, l.platformId, l.resourceLinkId, now());
    },
  } satisfies Partial<StoreOperations>;
}
