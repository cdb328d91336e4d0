// What both backends check of a grader's sample: the verdict it must get is one gradebox gives.
import { UserError } from '../common/errors.js';
import { VERDICTS } from '../protocol/grade-result.js';
import { quote } from './input-checks.js';

export function checkExpectedVerdict(verdict: unknown): string {
  if (!(VERDICTS as readonly unknown[]).includes(verdict)) throw new UserError('E_BAD_INPUT', `expected verdict ${quote(verdict)} is not one of ${VERDICTS.join(' ')}`);
  return verdict as string;
}
