// Records what a caller of the API changed into the staff audit chain (services/audit/staff-audit.ts),
// named as the caller (never a secret). The change is made first: what the chain says happened, did.
// Should the record fail after it, the request fails (500) and the log keeps what was not recorded.
import type { Response } from 'express';
import type { Logger } from 'pino';

import { actorName } from '../access/actor.js';
import type { AuditData } from '../audit/audit-chain.js';
import { recordStaffAction } from '../audit/staff-audit.js';
import type { Store } from '../store/store.js';
import { requireActor } from './identify.js';

/** Records `type` (e.g. `assignment.published`) done by the request's caller in `courseId`. */
export type StaffAuditor = (res: Response, type: string, courseId: string | null, data?: AuditData) => Promise<void>;

export function staffAuditor(store: Store, logger: Logger): StaffAuditor {
  return async (res, type, courseId, data = {}) => {
    const actor = actorName(requireActor(res));
    try {
      await recordStaffAction(store, { actor, type, courseId, data });
    } catch (error) {
      logger.error({ err: error, actor, type, course: courseId, data }, 'a staff action was done but could not be recorded in the audit chain');
      throw error;
    }
  };
}
