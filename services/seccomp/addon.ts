// The only module that loads the libseccomp addon: checks arguments before native code runs.
import { createRequire } from 'node:module';
import { z } from 'zod';

import { InternalError, UserError } from '../common/errors.js';
import { fromPackageRoot } from '../common/package-root.js';

/** What the filter does with a call. `notify` is the violation path; `kill_process` is for tests. */
export type FilterAction =
  | { kind: 'allow' }
  | { kind: 'notify' }
  | { kind: 'kill_process' }
  | { kind: 'errno'; errno: number };

export type CompareOp = 'eq' | 'ne' | 'lt' | 'le' | 'gt' | 'ge' | 'masked_eq';

export interface ArgCondition {
  /** Syscall argument index, 0..5. */
  arg: number;
  op: CompareOp;
  value: bigint;
  /** Only read for `masked_eq`; pass 0n otherwise. */
  mask: bigint;
  /** The kernel reads the argument as a 32-bit int: compare the low 32 bits only (eq, masked_eq). */
  width32: boolean;
}

export interface FilterRule {
  syscall: string;
  action: FilterAction;
  /** All must hold (AND); several rules for one syscall are alternatives (OR). */
  conditions: readonly ArgCondition[];
}

export interface FilterSpec {
  defaultAction: FilterAction;
  /** For calls of another architecture: int 0x80 (i386) and x32 numbers. */
  badArchAction: FilterAction;
  rules: readonly FilterRule[];
}

/** One record as the kernel's audit subsystem sent it, e.g. type 1326 (AUDIT_SECCOMP). */
export interface RawAuditRecord {
  type: number;
  /** `audit(SECONDS.MILLIS:SERIAL): key=value ...` */
  text: string;
}

export interface AuditReadResult {
  records: RawAuditRecord[];
  /** The kernel dropped records because the socket's receive buffer was full (ENOBUFS). */
  lost: boolean;
}

interface NativeAddon {
  compileFilter(spec: FilterSpec): Buffer;
  syscallNumber(name: string): number;
  syscallName(nr: number): string | null;
  openAuditSocket(): number;
  readAuditRecords(fd: number): AuditReadResult;
}

const u64 = z.bigint().min(0n).max(0xffff_ffff_ffff_ffffn);
const actionSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('allow') }),
  z.strictObject({ kind: z.literal('notify') }),
  z.strictObject({ kind: z.literal('kill_process') }),
  z.strictObject({ kind: z.literal('errno'), errno: z.int().min(1).max(4095) }),
]);
const specSchema = z.strictObject({
  defaultAction: actionSchema,
  badArchAction: actionSchema,
  rules: z.array(z.strictObject({
    syscall: z.string().regex(/^[a-z0-9_]+$/),
    action: actionSchema,
    conditions: z.array(z.strictObject({
      arg: z.int().min(0).max(5),
      op: z.enum(['eq', 'ne', 'lt', 'le', 'gt', 'ge', 'masked_eq']),
      value: u64,
      mask: u64,
      width32: z.boolean(),
    })).max(6),
  })),
});

let addon: NativeAddon | undefined;

function load(): NativeAddon {
  if (addon) return addon;
  const path = fromPackageRoot('build', 'Release', 'gradebox_seccomp.node');
  try {
    addon = createRequire(import.meta.url)(path) as NativeAddon;
  } catch (error) {
    throw new InternalError('E_SECCOMP_ADDON_MISSING',
      `cannot load the seccomp addon ${path}; build it with: npx node-gyp configure && npx node-gyp build`,
      { cause: error });
  }
  return addon;
}

/** Native errors carry a code: E_POLICY_* is the policy author's mistake, anything else ours. */
function rethrow(error: unknown): never {
  const code = error instanceof Error && 'code' in error && typeof error.code === 'string' ? error.code : undefined;
  const message = error instanceof Error ? error.message : String(error);
  if (code?.startsWith('E_POLICY_')) throw new UserError(code, message);
  throw new InternalError(code ?? 'E_SECCOMP_ADDON', message, { cause: error });
}

/** Builds the filter with libseccomp and returns its BPF program (8 bytes per instruction). */
export function compileFilter(spec: FilterSpec): Buffer {
  const checked = specSchema.safeParse(spec);
  if (!checked.success) {
    throw new InternalError('E_SECCOMP_BAD_SPEC', `compileFilter: ${z.prettifyError(checked.error)}`);
  }
  try {
    return load().compileFilter(checked.data);
  } catch (error) {
    rethrow(error);
  }
}

/** The x86_64 number of a syscall; throws UserError E_POLICY_UNKNOWN_SYSCALL for an unknown name. */
export function syscallNumber(name: string): number {
  try {
    return load().syscallNumber(name);
  } catch (error) {
    rethrow(error);
  }
}

/** The x86_64 name of a syscall number, or null when there is none. */
export function syscallName(nr: number): string | null {
  if (!Number.isInteger(nr) || nr < 0 || nr > 0x7fff_ffff) return null;
  return load().syscallName(nr);
}

/**
 * Opens a non-blocking, close-on-exec socket on the audit netlink multicast group (no auditd
 * needed). Close it with fs.closeSync. Throws InternalError E_AUDIT_UNAVAILABLE, naming the call
 * that failed and why, when the kernel or our privileges (CAP_AUDIT_READ) do not allow it.
 */
export function openAuditSocket(): number {
  try {
    return load().openAuditSocket();
  } catch (error) {
    rethrow(error);
  }
}

/** Reads the records pending on a socket from openAuditSocket, without blocking. */
export function readAuditRecords(fd: number): AuditReadResult {
  if (!Number.isInteger(fd) || fd < 0 || fd > 0x7fff_ffff) {
    throw new InternalError('E_AUDIT_READ', `readAuditRecords: ${fd} is not a file descriptor`);
  }
  try {
    return load().readAuditRecords(fd);
  } catch (error) {
    rethrow(error);
  }
}
