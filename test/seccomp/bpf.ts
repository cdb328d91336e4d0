// Test helper: runs a seccomp BPF program (as libseccomp emits it) on one call, as the kernel would.

export const AUDIT_ARCH_X86_64 = 0xc000003e;
export const AUDIT_ARCH_I386 = 0x40000003;
export const X32_SYSCALL_BIT = 0x40000000;

export const RET_ALLOW = 0x7fff0000;
export const RET_USER_NOTIF = 0x7fc00000;
export const RET_ERRNO = 0x00050000;
export const RET_KILL_PROCESS = 0x80000000;

export interface Call {
  nr: number;
  arch?: number;
  args?: readonly bigint[];
}

/** The 64-byte struct seccomp_data the filter reads. */
function seccompData(call: Call): Buffer {
  const data = Buffer.alloc(64);
  data.writeUInt32LE(call.nr >>> 0, 0);
  data.writeUInt32LE(call.arch ?? AUDIT_ARCH_X86_64, 4);
  (call.args ?? []).forEach((arg, i) => data.writeBigUInt64LE(BigInt.asUintN(64, arg), 16 + 8 * i));
  return data;
}

/** The filter's 32-bit verdict for one call; throws on an instruction libseccomp does not emit. */
export function runFilter(bpf: Buffer, call: Call): number {
  const data = seccompData(call);
  let a = 0;
  for (let pc = 0; pc * 8 < bpf.length;) {
    const code = bpf.readUInt16LE(pc * 8);
    const jt = bpf.readUInt8(pc * 8 + 2);
    const jf = bpf.readUInt8(pc * 8 + 3);
    const k = bpf.readUInt32LE(pc * 8 + 4);
    pc += 1;
    switch (code) {
      case 0x20: a = data.readUInt32LE(k); break; // ld [k]
      case 0x54: a = (a & k) >>> 0; break; // and #k
      case 0x05: pc += k; break; // ja
      case 0x15: pc += a === k ? jt : jf; break; // jeq #k
      case 0x25: pc += a > k ? jt : jf; break; // jgt #k
      case 0x35: pc += a >= k ? jt : jf; break; // jge #k
      case 0x45: pc += (a & k) !== 0 ? jt : jf; break; // jset #k
      case 0x06: return k; // ret #k
      case 0x16: return a; // ret a
      default: throw new Error(`unexpected BPF opcode 0x${code.toString(16)} at ${pc - 1}`);
    }
  }
  throw new Error('BPF program ran off its end');
}

/** The action part of a verdict, e.g. RET_ERRNO for ERRNO(38). */
export function actionOf(verdict: number): number {
  return (verdict & 0xffff0000) >>> 0;
}
