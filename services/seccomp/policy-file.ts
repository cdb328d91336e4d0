// Reads one policy file (policies/NAME.yaml) and checks its shape; errors name the file, the field and the fix.
import { readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { parseDocument } from 'yaml';
import { z } from 'zod';

import { UserError } from '../common/errors.js';
import { fieldPath, pathLabel } from '../common/file-labels.js';

const POLICY_NAME = /^[a-z0-9][a-z0-9_-]*$/;
/** A string schema whose type and format errors both say what is expected. */
const text = (pattern: RegExp, expected: string) => z.string({ error: expected }).regex(pattern, { error: expected });

const policyName = text(POLICY_NAME, 'expected a policy name such as "base" (lowercase letters, digits, - and _)');
const syscallName = text(/^[a-z0-9_]+$/, 'expected a syscall name such as "openat"');
const VALUE_EXPECTED =
  'expected an integer, or a string such as "0x5401" or "CLONE_NEWNS|CLONE_NEWUSER" (quote values above 2^53)';
const ENTRY_EXPECTED = 'expected a syscall name, or { syscall: NAME, when: [conditions] }';
const value = z.union([z.int({ error: VALUE_EXPECTED }), z.string().min(1)], { error: VALUE_EXPECTED });

const conditionSchema = z.strictObject({
  arg: z.int({ error: 'expected the argument index 0..5' }).min(0).max(5),
  op: z.enum(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'masked_eq'], {
    error: 'expected one of eq, ne, lt, le, gt, ge, masked_eq',
  }),
  value,
  mask: value.optional(),
  width: z.union([z.literal(32), z.literal(64)], {
    error: 'expected 32 (the kernel reads the argument as an int) or 64 (a long or a pointer)',
  }),
}).refine((c) => (c.op === 'masked_eq') === (c.mask !== undefined), {
  error: 'give a mask with op masked_eq, and only then',
});

const whenSchema = z.array(conditionSchema).min(1, { error: 'list at least one condition, or drop "when"' });

const policyFileSchema = z.strictObject({
  description: z.string({ error: 'expected a one-line description of the policy' }).min(1),
  extends: policyName.optional(),
  // A bare name is short for { syscall: NAME }; reading it as an object keeps error paths precise.
  allow: z.array(z.preprocess(
    (entry) => (typeof entry === 'string' ? { syscall: entry } : entry),
    z.strictObject({ syscall: syscallName, when: whenSchema.optional() },
      { error: (issue) => (issue.code === 'invalid_type' ? ENTRY_EXPECTED : undefined) }),
  )).default([]),
  errno: z.array(z.strictObject({
    syscall: syscallName,
    errno: text(/^E[A-Z0-9]+$/, 'expected an errno name such as ENOSYS'),
    when: whenSchema.optional(),
  })).default([]),
});

export type PolicyFile = z.infer<typeof policyFileSchema>;
export type PolicyCondition = z.infer<typeof conditionSchema>;

export interface LoadedFile {
  name: string;
  /** Path as shown in messages (relative to the working directory when shorter). */
  label: string;
  content: PolicyFile;
}

/** Throws E_POLICY_BAD_NAME unless `name` can name a file in the policy folder. */
export function checkPolicyName(name: string): void {
  if (!POLICY_NAME.test(name)) {
    throw new UserError('E_POLICY_BAD_NAME',
      `"${name}" is not a policy name; use lowercase letters, digits, - and _ (e.g. "python")`);
  }
}

/** Reads, parses and validates `dir/NAME.yaml`. */
export function readPolicyFile(dir: string, name: string): LoadedFile {
  checkPolicyName(name);
  const path = join(dir, `${name}.yaml`);
  const label = pathLabel(path);
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch {
    throw new UserError('E_POLICY_NOT_FOUND',
      `${label}: no such policy file; create it, or pick a policy that exists in ${pathLabel(dir)}`);
  }
  const doc = parseDocument(text, { prettyErrors: true });
  const yamlError = doc.errors[0];
  if (yamlError) {
    throw new UserError('E_POLICY_YAML', `${label}: not valid YAML: ${yamlError.message}`);
  }
  const parsed = policyFileSchema.safeParse(doc.toJS());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const field = issue ? fieldPath(issue.path) : '(top level)';
    const fix = issue?.code === 'unrecognized_keys' ? ' (remove it, or check its spelling)' : '';
    throw new UserError('E_POLICY_SCHEMA', `${label}: field ${field}: ${issue?.message ?? 'invalid'}${fix}`);
  }
  return { name, label, content: parsed.data };
}
