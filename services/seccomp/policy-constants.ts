// Named values a policy condition may use (`value: CLONE_NEWUSER|CLONE_NEWNS`) and errno names.
import { constants } from 'node:os';

/** x86_64 Linux values; the kernel ABI fixes them, so a table is safer than a header lookup. */
const SYMBOLS: ReadonlyMap<string, bigint> = new Map([
  // clone(2) namespace flags (linux/sched.h)
  ['CLONE_NEWTIME', 0x80n],
  ['CLONE_NEWNS', 0x20000n],
  ['CLONE_NEWCGROUP', 0x2000000n],
  ['CLONE_NEWUTS', 0x4000000n],
  ['CLONE_NEWIPC', 0x8000000n],
  ['CLONE_NEWUSER', 0x10000000n],
  ['CLONE_NEWPID', 0x20000000n],
  ['CLONE_NEWNET', 0x40000000n],
  // socket(2) families and netlink protocols
  ['AF_UNIX', 1n],
  ['AF_INET', 2n],
  ['AF_INET6', 10n],
  ['AF_NETLINK', 16n],
  ['AF_PACKET', 17n],
  ['NETLINK_ROUTE', 0n],
  ['NETLINK_AUDIT', 9n],
  // ioctl(2) requests (asm-generic/ioctls.h)
  ['TCGETS', 0x5401n],
  ['TIOCGPGRP', 0x540fn],
  ['TIOCSTI', 0x5412n],
  ['TIOCGWINSZ', 0x5413n],
  ['FIONREAD', 0x541bn],
  ['TIOCLINUX', 0x541cn],
  ['FIONBIO', 0x5421n],
  ['FIONCLEX', 0x5450n],
  ['FIOCLEX', 0x5451n],
  // prctl(2) options
  ['PR_SET_NAME', 15n],
  ['PR_GET_NAME', 16n],
]);

const ERRNOS: ReadonlyMap<string, number> = new Map(Object.entries(constants.errno));

/** The value of one symbol, or undefined when it is not in the table. */
export function symbolValue(name: string): bigint | undefined {
  return SYMBOLS.get(name);
}

/** Every symbol name, for error messages. */
export function symbolNames(): string[] {
  return [...SYMBOLS.keys()].sort();
}

/** The errno number of a name such as `ENOSYS`, or undefined. */
export function errnoNumber(name: string): number | undefined {
  return ERRNOS.get(name);
}

/**
 * Evaluates a condition value: a number, or a string of `|`-joined parts, each a decimal or hex
 * literal (optionally negative) or a symbol. Returns an error sentence instead of throwing.
 */
export function evaluateValue(value: number | string): { value: bigint } | { error: string } {
  if (typeof value === 'number') return { value: BigInt(value) };
  let result = 0n;
  for (const raw of value.split('|')) {
    const part = raw.trim();
    if (/^-?(0x[0-9a-f]+|[0-9]+)$/i.test(part)) {
      result |= part.startsWith('-') ? -BigInt(part.slice(1)) : BigInt(part);
      continue;
    }
    const symbol = SYMBOLS.get(part);
    if (symbol === undefined) {
      return { error: `"${part}" is neither a number nor a known name (known: ${symbolNames().join(', ')})` };
    }
    result |= symbol;
  }
  return { value: result };
}
