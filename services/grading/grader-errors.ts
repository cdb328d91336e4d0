// How a problem in a grader folder is reported: the file (as shown to the user), the field and
// the fix, as one UserError (E_GRADER_INVALID).
import { UserError } from '../common/errors.js';

/** Where errors point: the grader folder (real path) and grader.yaml as shown to the user. */
export interface GraderContext {
  root: string;
  label: string;
}

export function invalidField(ctx: GraderContext, field: string, problem: string): never {
  throw new UserError('E_GRADER_INVALID', `${ctx.label}: field ${field}: ${problem}`);
}
