// Parses the text of a kernel AUDIT_SECCOMP record into typed fields.
//
// Example (kernel/auditsc.c audit_seccomp): audit(1700000000.123:456): auid=4294967295 uid=0 gid=0
// ses=4294967295 pid=31271 comm="t" exe="/tmp/t" sig=0 arch=c000003e syscall=110 compat=0
// ip=0x7f35 code=0x50000. comm and exe come from the sandboxed program: the kernel quotes them, or
// writes them as hex when they hold a quote, a space or a control byte (audit_log_untrustedstring),
// so a program cannot inject fields of its own.

/** The kernel's record type for seccomp (linux/audit.h). */
export const AUDIT_SECCOMP = 1326;

const AUDIT_ARCH_X86_64 = 0xc000003e;
const AUDIT_ARCH_I386 = 0x40000003;
const X32_SYSCALL_BIT = 0x40000000;
/** auid and ses of a process that never logged in. */
const UNSET = 4294967295;

/** SECCOMP_RET_* of linux/seccomp.h, by the value in `code` (SECCOMP_RET_ACTION_FULL bits). */
const ACTIONS: ReadonlyMap<number, SeccompAction> = new Map([
  [0x80000000, 'kill_process'], [0x00000000, 'kill_thread'], [0x00030000, 'trap'], [0x00050000, 'errno'],
  [0x7fc00000, 'user_notif'], [0x7ff00000, 'trace'], [0x7ffc0000, 'log'], [0x7fff0000, 'allow'],
]);

export type SeccompAction = 'kill_process' | 'kill_thread' | 'trap' | 'errno' | 'user_notif' | 'trace' | 'log' | 'allow' | 'unknown';

export interface SeccompRecord {
  /** When the kernel logged the call (wall clock, millisecond precision). */
  time: Date;
  /** The audit event's serial number. */
  serial: number;
  /** The caller's pid in the initial pid namespace (the host pid). */
  pid: number;
  /** The caller's uid as the host sees it (mapped out of any user namespace). */
  uid: number;
  gid: number | null;
  /** Login uid; null when never set. */
  auid: number | null;
  ses: number | null;
  comm: string | null;
  exe: string | null;
  /** The signal the action sends (31 = SIGSYS for kill actions), 0 for none. */
  sig: number;
  /** AUDIT_ARCH_* of the call. */
  arch: number;
  /** The ABI the call was made with: x32 calls carry the native arch plus the x32 bit in the number. */
  abi: 'x86_64' | 'x32' | 'i386' | 'other';
  /** The syscall number as the kernel saw it (x32 numbers keep their 0x40000000 bit). */
  syscall: number;
  compat: boolean;
  /** Instruction pointer of the call, as the kernel wrote it (hex). */
  ip: string | null;
  /** The filter's action (SECCOMP_RET_ACTION_FULL bits; data bits are not logged). */
  code: number;
  action: SeccompAction;
  /** The record as received. */
  text: string;
}

const HEADER = /^audit\((\d+)\.(\d{3}):(\d+)\):\s?/;
const FIELD = /\s*([A-Za-z0-9_]+)=("[^"]*"|\S*)/y;

/** key=value pairs; null when the text does not scan cleanly or repeats a key. */
function scanFields(text: string): Map<string, string> | null {
  const fields = new Map<string, string>();
  const field = new RegExp(FIELD);
  for (let at = 0; at < text.length; at = field.lastIndex) {
    field.lastIndex = at;
    const match = field.exec(text);
    if (!match) return text.slice(at).trim() === '' ? fields : null;
    const [, key = '', value = ''] = match;
    if (fields.has(key)) return null;
    fields.set(key, value);
  }
  return fields;
}

/** An untrusted string field: "quoted", hex, or (null). */
function untrusted(value: string | undefined): string | null {
  if (value === undefined || value === '(null)') return null;
  if (value.startsWith('"')) return value.slice(1, -1);
  return /^(?:[0-9A-F]{2})+$/.test(value) ? Buffer.from(value, 'hex').toString('utf8') : null;
}

function decimal(value: string | undefined): number | null {
  return value !== undefined && /^\d+$/.test(value) ? Number(value) : null;
}

function hex(value: string | undefined): number | null {
  return value !== undefined && /^(?:0x)?[0-9a-f]{1,8}$/i.test(value) ? Number.parseInt(value.replace(/^0x/i, ''), 16) : null;
}

function abiOf(arch: number, syscall: number): SeccompRecord['abi'] {
  if (arch === AUDIT_ARCH_I386) return 'i386';
  if (arch !== AUDIT_ARCH_X86_64) return 'other';
  return (syscall & X32_SYSCALL_BIT) !== 0 ? 'x32' : 'x86_64';
}

/** The fields of an AUDIT_SECCOMP record's text, or null when a required one is missing or malformed. */
export function parseSeccompRecord(text: string): SeccompRecord | null {
  const header = HEADER.exec(text);
  if (!header) return null;
  const fields = scanFields(text.slice(header[0].length));
  if (!fields) return null;
  const pid = decimal(fields.get('pid'));
  const uid = decimal(fields.get('uid'));
  const syscall = decimal(fields.get('syscall'));
  const arch = hex(fields.get('arch'));
  const code = hex(fields.get('code'));
  if (pid === null || uid === null || syscall === null || arch === null || code === null) return null;
  const auid = decimal(fields.get('auid'));
  const ses = decimal(fields.get('ses'));
  return {
    time: new Date(Number(header[1]) * 1000 + Number(header[2])),
    serial: Number(header[3]),
    pid, uid, syscall, arch, code,
    gid: decimal(fields.get('gid')),
    auid: auid === UNSET ? null : auid,
    ses: ses === UNSET ? null : ses,
    comm: untrusted(fields.get('comm')),
    exe: untrusted(fields.get('exe')),
    sig: decimal(fields.get('sig')) ?? 0,
    abi: abiOf(arch, syscall),
    compat: fields.get('compat') === '1',
    ip: fields.get('ip') ?? null,
    action: ACTIONS.get((code & 0xffff0000) >>> 0) ?? 'unknown',
    text,
  };
}
