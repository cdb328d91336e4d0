// The Kattis default output validator's flags (problemarchive.org, "Default output validator
// specification") as the options of gradebox's own checkers: tokens compared without case unless
// case_sensitive, whitespace only as a separator unless space_change_sensitive, and numbers
// within float_absolute_tolerance, float_relative_tolerance or float_tolerance (both) when given.
import { UserError } from '../../common/errors.js';

/** What a test of the imported grader says about its checker, as grader.yaml writes it. */
export interface CheckerSettings {
  checker: 'tokens' | 'float';
  case_sensitive?: false;
  space_change_sensitive?: true;
  /** A number when both kinds are the same (float_tolerance). */
  tolerance?: number | { absolute?: number; relative?: number };
}

function number(flags: string[], at: number, file: string): number {
  const text = flags[at + 1];
  const value = Number(text);
  if (text === undefined || !Number.isFinite(value) || value < 0) {
    throw new UserError('E_KATTIS_INVALID', `${file}: validator_flags: ${flags[at]} needs a number >= 0 after it, got ${text === undefined ? 'nothing' : `"${text}"`}`);
  }
  return value;
}

export function defaultValidatorChecker(flags: string[], file: string): CheckerSettings {
  let caseSensitive = false;
  let spaces = false;
  const tolerance: { absolute?: number; relative?: number } = {};
  for (let i = 0; i < flags.length; i++) {
    const flag = flags[i]!;
    if (flag === 'case_sensitive') caseSensitive = true;
    else if (flag === 'space_change_sensitive') spaces = true;
    else if (flag === 'float_absolute_tolerance') tolerance.absolute = number(flags, i++, file);
    else if (flag === 'float_relative_tolerance') tolerance.relative = number(flags, i++, file);
    else if (flag === 'float_tolerance') tolerance.absolute = tolerance.relative = number(flags, i++, file);
    else throw new UserError('E_KATTIS_INVALID', `${file}: validator_flags: "${flag}" is not a flag of the default validator (case_sensitive, space_change_sensitive, float_tolerance, float_absolute_tolerance, float_relative_tolerance)`);
  }
  const float = tolerance.absolute !== undefined || tolerance.relative !== undefined;
  return {
    checker: float ? 'float' : 'tokens',
    ...(caseSensitive ? {} : { case_sensitive: false as const }),
    ...(spaces ? { space_change_sensitive: true as const } : {}),
    ...(float ? { tolerance: tolerance.absolute === tolerance.relative ? tolerance.absolute! : tolerance } : {}),
  };
}
