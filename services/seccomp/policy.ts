// Seccomp policies by name: load policies/NAME.yaml and its `extends` chain, digest it, compile it once.
import { createHash } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { resolve } from 'node:path';

import { UserError } from '../common/errors.js';
import { canonicalJson } from '../common/canonical-json.js';
import { fromPackageRoot } from '../common/package-root.js';
import { compileFilter, type FilterAction, type FilterSpec } from './addon.js';
import { errnoNumber } from './policy-constants.js';
import { checkPolicyName, readPolicyFile, type LoadedFile } from './policy-file.js';
import { normalizeChain, type NormalizedPolicy, type NormalizedRule } from './policy-normalize.js';

export type { NormalizedCondition, NormalizedPolicy, NormalizedRule, RuleAction } from './policy-normalize.js';

/** The kernel refuses longer programs (BPF_MAXINSNS). */
const MAX_INSTRUCTIONS = 4096;
/** Deeper chains are a mistake, not a design. */
const MAX_CHAIN = 8;

export interface PolicyOptions {
  /** Folder of the policy files. @defaultValue `policies/` in the package */
  dir?: string;
}

export interface Policy {
  name: string;
  description: string;
  /** Policy names from the root to this one, e.g. `["base", "python"]`. */
  chain: string[];
  /** sha256 (hex) of the canonical JSON of `normalized`: names what the kernel enforces. */
  digest: string;
  normalized: NormalizedPolicy;
}

export interface CompiledPolicy extends Policy {
  /** The BPF program the launcher installs: struct sock_filter[], 8 bytes each. */
  bpf: Buffer;
  instructions: number;
}

export { canonicalJson };

export function policyDigest(normalized: NormalizedPolicy): string {
  return createHash('sha256').update(canonicalJson(normalized)).digest('hex');
}

function policyDir(options: PolicyOptions): string {
  return resolve(options.dir ?? fromPackageRoot('policies'));
}

/** The names of the policies in the folder (policies/NAME.yaml), sorted. */
export function policyNames(options: PolicyOptions = {}): string[] {
  return readdirSync(policyDir(options)).filter((file) => file.endsWith('.yaml')).map((file) => file.slice(0, -'.yaml'.length)).sort();
}

/** Reads NAME and every policy it extends, root first. */
function readChain(dir: string, name: string): LoadedFile[] {
  const chain: LoadedFile[] = [];
  for (let next: string | undefined = name; next !== undefined;) {
    const file = readPolicyFile(dir, next);
    if (chain.some((f) => f.name === file.name) || chain.length >= MAX_CHAIN) {
      throw new UserError('E_POLICY_EXTENDS_CYCLE',
        `${file.label}: field extends: the chain ${[...chain.map((f) => f.name), file.name].reverse().join(' <- ')} loops or is too deep; make it end at a policy without extends`);
    }
    chain.push(file);
    next = file.content.extends;
  }
  return chain.reverse();
}

/** Loads, checks and normalizes a policy. Throws UserError with an E_POLICY_* code. */
export function loadPolicy(name: string, options: PolicyOptions = {}): Policy {
  checkPolicyName(name);
  const chain = readChain(policyDir(options), name);
  const normalized = normalizeChain(chain);
  const leaf = chain[chain.length - 1];
  return {
    name,
    description: leaf?.content.description ?? '',
    chain: chain.map((f) => f.name),
    digest: policyDigest(normalized),
    normalized,
  };
}

function toAction(rule: NormalizedRule): FilterAction {
  if (rule.action.type === 'allow') return { kind: 'allow' };
  const errno = errnoNumber(rule.action.errno);
  if (errno === undefined) throw new UserError('E_POLICY_UNKNOWN_ERRNO', `unknown errno ${rule.action.errno}`);
  return { kind: 'errno', errno };
}

/** The addon's input for a policy; tests may swap the violation action for one they can observe. */
export function toFilterSpec(normalized: NormalizedPolicy, violation: FilterAction = { kind: 'notify' }): FilterSpec {
  return {
    defaultAction: violation,
    badArchAction: violation,
    rules: normalized.rules.map((rule) => ({
      syscall: rule.syscall,
      action: toAction(rule),
      conditions: rule.when.map((c) => ({
        arg: c.arg,
        op: c.op,
        value: BigInt(c.value),
        mask: c.mask === undefined ? 0n : BigInt(c.mask),
        width32: c.width === 32,
      })),
    })),
  };
}

const cache = new Map<string, CompiledPolicy>();

/**
 * Loads and compiles a policy, once per process: later calls return the same object, so a
 * changed policy file needs a restart of the worker.
 */
export function compilePolicy(name: string, options: PolicyOptions = {}): CompiledPolicy {
  const key = `${policyDir(options)}\0${name}`;
  const hit = cache.get(key);
  if (hit) return hit;
  const policy = loadPolicy(name, options);
  const bpf = compileFilter(toFilterSpec(policy.normalized));
  const instructions = bpf.length / 8;
  if (instructions > MAX_INSTRUCTIONS) {
    throw new UserError('E_POLICY_TOO_LARGE',
      `policy ${name} compiles to ${instructions} BPF instructions, over the kernel's ${MAX_INSTRUCTIONS}; use fewer conditional rules`);
  }
  const compiled: CompiledPolicy = { ...policy, bpf, instructions };
  cache.set(key, compiled);
  return compiled;
}
