// Turns a chain of policy files into one normalized rule list: resolved, checked, sorted, deduplicated.
import { UserError } from '../common/errors.js';
import { syscallNumber, type CompareOp } from './addon.js';
import { errnoNumber, evaluateValue } from './policy-constants.js';
import type { LoadedFile, PolicyCondition } from './policy-file.js';
import { HOSTILE_SYSCALLS, NEVER_ALLOWED_SYSCALLS } from './syscall-sets.js';

export type RuleAction = { type: 'allow' } | { type: 'errno'; errno: string };

export interface NormalizedCondition {
  arg: number;
  op: CompareOp;
  /** Lowercase hex of the unsigned value at the argument's width (negative ints wrap). */
  value: string;
  /** Only for masked_eq. */
  mask?: string;
  width: 32 | 64;
}

export interface NormalizedRule {
  syscall: string;
  action: RuleAction;
  /** Sorted by argument; empty means unconditional. */
  when: NormalizedCondition[];
}

/** Everything the kernel will enforce, and nothing else: the digest covers exactly this. */
export interface NormalizedPolicy {
  arch: 'x86_64';
  defaultAction: 'violation';
  badArchAction: 'violation';
  rules: NormalizedRule[];
}

interface SourcedRule extends NormalizedRule {
  /** "policies/python.yaml: allow[3]", for messages. */
  where: string;
}

const hex = (n: bigint): string => `0x${n.toString(16)}`;

function bad(code: string, where: string, message: string): UserError {
  return new UserError(code, `${where}: ${message}`);
}

/** Brings a value to the unsigned form the filter compares, refusing what the width cannot hold. */
function toWidth(raw: number | string, width: 32 | 64, where: string, field: string): bigint {
  const evaluated = evaluateValue(raw);
  if ('error' in evaluated) throw bad('E_POLICY_BAD_VALUE', where, `${field}: ${evaluated.error}`);
  const n = evaluated.value;
  const bits = BigInt(width);
  if (n < -(1n << (bits - 1n)) || n >= 1n << bits) {
    throw bad('E_POLICY_BAD_VALUE', where, `${field}: ${raw} does not fit in ${width} bits; fix the value or the width`);
  }
  return BigInt.asUintN(width, n);
}

/*
 * libseccomp 2.5 compares both 32-bit halves of an argument. For an int argument the kernel ignores
 * the upper half, so only eq and masked_eq (done as a masked compare of the low half) are faithful.
 */
function normalizeCondition(c: PolicyCondition, where: string): NormalizedCondition {
  const at = `${where}.when(arg ${c.arg})`;
  if (c.width === 32 && c.op !== 'eq' && c.op !== 'masked_eq') {
    throw bad('E_POLICY_BAD_CONDITION', at,
      `op ${c.op} on a 32-bit argument can be dodged by setting the upper 32 bits; list the allowed values with eq (or masked_eq) instead`);
  }
  const value = toWidth(c.value, c.width, at, 'value');
  if (c.op !== 'masked_eq' || c.mask === undefined) return { arg: c.arg, op: c.op, value: hex(value), width: c.width };
  const mask = toWidth(c.mask, c.width, at, 'mask');
  if (mask === 0n) throw bad('E_POLICY_BAD_CONDITION', at, 'an empty mask matches everything; drop the condition instead');
  if ((value & ~mask) !== 0n) throw bad('E_POLICY_BAD_CONDITION', at, 'the value has bits outside the mask, so it never matches');
  return { arg: c.arg, op: c.op, value: hex(value), mask: hex(mask), width: c.width };
}

function normalizeWhen(when: readonly PolicyCondition[] | undefined, where: string): NormalizedCondition[] {
  const conditions = (when ?? []).map((c) => normalizeCondition(c, where));
  const args = conditions.map((c) => c.arg);
  if (new Set(args).size !== args.length) {
    throw bad('E_POLICY_BAD_CONDITION', where, 'one condition per argument per rule (libseccomp refuses more); split it into two rules');
  }
  return conditions.sort((a, b) => a.arg - b.arg);
}

function checkSyscall(syscall: string, action: RuleAction, where: string): void {
  if (HOSTILE_SYSCALLS.has(syscall)) {
    throw bad('E_POLICY_FORBIDDEN_SYSCALL', where,
      `${syscall} is always a violation in gradebox (services/seccomp/syscall-sets.ts); remove this entry`);
  }
  if (action.type === 'allow' && NEVER_ALLOWED_SYSCALLS.has(syscall)) {
    throw bad('E_POLICY_FORBIDDEN_SYSCALL', where,
      `${syscall} may never be allowed; answer it with an errno entry if a runtime probes it, or remove it`);
  }
  try {
    syscallNumber(syscall);
  } catch (error) {
    if (error instanceof UserError) {
      throw bad(error.code, where, `${error.message}; check the spelling (scmp_sys_resolver NAME) or remove it`);
    }
    throw error;
  }
  if (action.type === 'errno' && errnoNumber(action.errno) === undefined) {
    throw bad('E_POLICY_UNKNOWN_ERRNO', where, `unknown errno "${action.errno}"; use a name such as ENOSYS or EPERM`);
  }
}

function rulesOf(file: LoadedFile): SourcedRule[] {
  const rules: SourcedRule[] = [];
  file.content.allow.forEach((entry, i) => {
    const where = `${file.label}: allow[${i}]`;
    checkSyscall(entry.syscall, { type: 'allow' }, where);
    rules.push({ syscall: entry.syscall, action: { type: 'allow' }, when: normalizeWhen(entry.when, where), where });
  });
  file.content.errno.forEach((entry, i) => {
    const where = `${file.label}: errno[${i}]`;
    const action: RuleAction = { type: 'errno', errno: entry.errno };
    checkSyscall(entry.syscall, action, where);
    rules.push({ syscall: entry.syscall, action, when: normalizeWhen(entry.when, where), where });
  });
  return rules;
}

const actionKey = (a: RuleAction): string => (a.type === 'allow' ? 'allow' : `errno ${a.errno}`);
const ruleKey = (r: NormalizedRule): string => `${r.syscall} ${actionKey(r.action)} ${JSON.stringify(r.when)}`;

/** The two conditions test one argument for different exact values, so no call matches both. */
function excludes(x: NormalizedCondition, y: NormalizedCondition): boolean {
  if (x.arg !== y.arg || x.width !== y.width || x.op !== y.op) return false;
  if (x.op === 'eq') return x.value !== y.value;
  if (x.op === 'masked_eq') return x.mask === y.mask && x.value !== y.value;
  return false;
}

function disjoint(a: NormalizedRule, b: NormalizedRule): boolean {
  return a.when.some((x) => b.when.some((y) => excludes(x, y)));
}

/*
 * libseccomp resolves overlapping rules of one syscall silently: an unconditional rule wipes the
 * conditional ones, and of two overlapping conditional rules one is dropped (2.5.4 keeps the one
 * with fewer conditions; adding the same conditions twice is refused). So rules with
 * different actions must be provably disjoint, and a same-action conditional rule under an
 * unconditional one is dropped here, where `policy show` makes it visible.
 */
function resolveOverlaps(rules: SourcedRule[]): SourcedRule[] {
  const kept: SourcedRule[] = [];
  for (const rule of rules) {
    const same = rules.filter((r) => r.syscall === rule.syscall);
    const blanket = same.find((r) => r.when.length === 0);
    if (blanket && rule !== blanket && actionKey(blanket.action) === actionKey(rule.action)) continue;
    for (const other of same) {
      if (actionKey(other.action) === actionKey(rule.action) || disjoint(rule, other)) continue;
      throw bad('E_POLICY_CONFLICT', rule.where,
        `${rule.syscall} (${actionKey(rule.action)}) overlaps ${other.where} (${actionKey(other.action)}); ` +
        'libseccomp would keep only one. Make them disjoint with eq conditions on the same argument, or drop one');
    }
    kept.push(rule);
  }
  return kept;
}

/** Merges the chain (root first), checks every rule and returns the canonical rule list. */
export function normalizeChain(chain: readonly LoadedFile[]): NormalizedPolicy {
  const unique = new Map<string, SourcedRule>();
  for (const rule of chain.flatMap(rulesOf)) {
    if (!unique.has(ruleKey(rule))) unique.set(ruleKey(rule), rule);
  }
  const rules = resolveOverlaps([...unique.values()])
    .map(({ syscall, action, when }) => ({ syscall, action, when }))
    .sort((a, b) => (ruleKey(a) < ruleKey(b) ? -1 : ruleKey(a) > ruleKey(b) ? 1 : 0));
  return { arch: 'x86_64', defaultAction: 'violation', badArchAction: 'violation', rules };
}
