// What gradebox reads of a Kattis problem package's problem.yaml (problemarchive.org; the legacy
// format and 2023-07 onwards): its name, how output is validated (`validation:` default, custom,
// custom interactive; or `type: interactive`), the default validator's `validator_flags`, the
// limits and the languages. Other keys (credits, license, ...) are for people and are left alone.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';

import { UserError } from '../../common/errors.js';
import { kindOf } from './package-files.js';

const positive = z.number().positive();

const problemSchema = z.looseObject({
  problem_format_version: z.string().optional(),
  name: z.union([z.string(), z.record(z.string(), z.string())]).optional(),
  type: z.union([z.string(), z.array(z.string()).min(1)]).optional(),
  validation: z.string().optional(),
  validator_flags: z.union([z.string(), z.number()]).optional(),
  languages: z.union([z.string(), z.array(z.string())]).optional(),
  limits: z.looseObject({
    time_limit: positive.optional(),
    time_multiplier: positive.optional(),
    time_multipliers: z.looseObject({ ac_to_time_limit: positive.optional() }).optional(),
    time_resolution: positive.optional(),
    memory: z.int().positive().optional(),
    output: z.int().positive().optional(),
  }).optional(),
});

export type ProblemYaml = z.infer<typeof problemSchema>;

export interface KattisProblem {
  name: string;
  /** The legacy format (no problem_format_version, or `legacy`): its time limit comes from the
   * accepted submissions × time_multiplier, rounded to whole seconds. */
  legacy: boolean;
  interactive: boolean;
  /** A custom output validator (or interactor) rather than the default one. */
  customValidation: boolean;
  /** `validator_flags`, word by word. */
  validatorFlags: string[];
  limits: NonNullable<ProblemYaml['limits']>;
  /** Kattis language codes the problem allows; undefined: all. */
  languages: string[] | undefined;
}

function refused(file: string, what: string): never {
  throw new UserError('E_KATTIS_UNSUPPORTED', `${file}: ${what}`);
}

function readYaml(file: string): ProblemYaml {
  if (!existsSync(file)) throw new UserError('E_KATTIS_INVALID', `${file}: missing; a Kattis problem package has a problem.yaml at its top`);
  const doc = parseDocument(readFileSync(file, 'utf8'));
  if (doc.errors[0]) throw new UserError('E_KATTIS_INVALID', `${file}: not valid YAML: ${doc.errors[0].message}`);
  const parsed = problemSchema.safeParse(doc.toJS() ?? {});
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    throw new UserError('E_KATTIS_INVALID', `${file}: field ${issue.path.join('.') || '(top level)'}: ${issue.message}`);
  }
  return parsed.data;
}

/** `validation:` (legacy) and `type:` (2023-07 onwards) as one answer; scoring, multi-pass and
 * submit-answer problems are refused: gradebox does not judge them yet. */
function validationOf(file: string, yaml: ProblemYaml): { interactive: boolean; custom: boolean } {
  const types = yaml.type === undefined ? [] : typeof yaml.type === 'string' ? yaml.type.split(/\s+/) : yaml.type;
  const words = (yaml.validation ?? 'default').split(/\s+/).filter(Boolean);
  for (const unsupported of ['scoring', 'multi-pass', 'submit-answer']) {
    if (types.includes(unsupported)) refused(file, `type ${unsupported}: gradebox imports pass-fail problems (interactive or not); grade this one elsewhere`);
  }
  if (words.includes('score')) refused(file, 'validation with score: gradebox imports pass-fail problems; grade this one elsewhere');
  if (words[0] !== 'default' && words[0] !== 'custom') throw new UserError('E_KATTIS_INVALID', `${file}: field validation: must begin with default or custom, got "${yaml.validation}"`);
  const interactive = types.includes('interactive') || words.includes('interactive');
  return { interactive, custom: interactive || words[0] === 'custom' };
}

function nameOf(yaml: ProblemYaml, fallback: string): string {
  if (typeof yaml.name === 'string') return yaml.name;
  return yaml.name?.en ?? Object.values(yaml.name ?? {})[0] ?? fallback;
}

/** `packageDir`: the package's real path. From 2023-07 on, a custom validator is there when the
 * folder output_validator/ is (`validation:` is gone). */
export function readProblem(packageDir: string, fallbackName: string): KattisProblem {
  const file = join(packageDir, 'problem.yaml');
  const yaml = readYaml(file);
  const { interactive, custom } = validationOf(file, yaml);
  const customFolder = kindOf(packageDir, 'output_validator') === 'folder';
  const languages = yaml.languages === undefined ? undefined : typeof yaml.languages === 'string' ? yaml.languages.split(/\s+/).filter(Boolean) : yaml.languages;
  return {
    name: nameOf(yaml, fallbackName),
    legacy: yaml.problem_format_version === undefined || yaml.problem_format_version.startsWith('legacy'),
    interactive,
    customValidation: custom || customFolder,
    validatorFlags: yaml.validator_flags === undefined ? [] : String(yaml.validator_flags).split(/\s+/).filter(Boolean),
    limits: yaml.limits ?? {},
    languages: languages === undefined || languages.includes('all') ? undefined : languages,
  };
}
