// Shared by the ELF tests: hand-made ELF files (to be exactly as broken as a test needs) and
// programs compiled on the host with gcc/g++.
import { execFileSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

export interface ElfSpec {
  /** PT_INTERP, or null for none. @defaultValue `/lib64/ld-linux-x86-64.so.2` */
  interp?: string | null;
  /** DT_NEEDED names. @defaultValue `[]` */
  needed?: string[];
  /** e_ident[EI_CLASS]: 2 is 64-bit. @defaultValue `2` */
  elfClass?: number;
  /** e_machine: 62 is x86-64. @defaultValue `62` */
  machine?: number;
  /** e_type: 2 executable, 3 PIE or shared library. @defaultValue `3` */
  type?: number;
  /** Leave out the PT_DYNAMIC segment. @defaultValue `false` */
  noDynamic?: boolean;
  /** DT_STRTAB as written (a virtual address). @defaultValue where the string table is loaded */
  strtabAddr?: bigint;
}

const BASE = 0x400000n;

/** A minimal 64-bit little-endian ELF: one PT_LOAD covering the whole file, PT_INTERP, PT_DYNAMIC. */
export function craftElf(spec: ElfSpec = {}): Buffer {
  const interp = spec.interp === undefined ? '/lib64/ld-linux-x86-64.so.2' : spec.interp;
  const needed = spec.needed ?? [];
  const phnum = 1 + (interp === null ? 0 : 1) + (spec.noDynamic ? 0 : 1);
  const interpOff = 64 + phnum * 56;
  const interpBytes = interp === null ? Buffer.alloc(0) : Buffer.from(`${interp}\0`, 'latin1');
  const strtabOff = interpOff + interpBytes.length;
  const names = needed.map((n) => Buffer.from(`${n}\0`, 'latin1'));
  const strtab = Buffer.concat([Buffer.from([0]), ...names]);
  const dynOff = Math.ceil((strtabOff + strtab.length) / 8) * 8;
  const dynCount = spec.noDynamic ? 0 : needed.length + 3;
  const size = dynOff + dynCount * 16;
  const buf = Buffer.alloc(size);

  buf.writeUInt32BE(0x7f454c46, 0);
  buf[4] = spec.elfClass ?? 2;
  buf[5] = 1; // little-endian
  buf[6] = 1; // EV_CURRENT
  buf.writeUInt16LE(spec.type ?? 3, 16);
  buf.writeUInt16LE(spec.machine ?? 62, 18);
  buf.writeUInt32LE(1, 20);
  buf.writeBigUInt64LE(64n, 32); // e_phoff
  buf.writeUInt16LE(64, 52);
  buf.writeUInt16LE(56, 54);
  buf.writeUInt16LE(phnum, 56);

  let ph = 64;
  const phdr = (type: number, offset: number, filesz: number): void => {
    buf.writeUInt32LE(type, ph);
    buf.writeUInt32LE(4, ph + 4);
    buf.writeBigUInt64LE(BigInt(offset), ph + 8);
    buf.writeBigUInt64LE(BASE + BigInt(offset), ph + 16);
    buf.writeBigUInt64LE(BASE + BigInt(offset), ph + 24);
    buf.writeBigUInt64LE(BigInt(filesz), ph + 32);
    buf.writeBigUInt64LE(BigInt(filesz), ph + 40);
    buf.writeBigUInt64LE(8n, ph + 48);
    ph += 56;
  };
  phdr(1, 0, size);
  if (interp !== null) phdr(3, interpOff, interpBytes.length);
  if (!spec.noDynamic) phdr(2, dynOff, dynCount * 16);

  interpBytes.copy(buf, interpOff);
  strtab.copy(buf, strtabOff);
  let dyn = dynOff;
  const entry = (tag: bigint, value: bigint): void => {
    buf.writeBigInt64LE(tag, dyn);
    buf.writeBigUInt64LE(value, dyn + 8);
    dyn += 16;
  };
  if (!spec.noDynamic) {
    let nameOff = 1;
    for (const name of names) {
      entry(1n, BigInt(nameOff));
      nameOff += name.length;
    }
    entry(5n, spec.strtabAddr ?? BASE + BigInt(strtabOff));
    entry(10n, BigInt(strtab.length));
    entry(0n, 0n);
  }
  return buf;
}

/** Writes a crafted ELF file, executable. */
export function writeElf(path: string, spec: ElfSpec = {}): string {
  writeFileSync(path, craftElf(spec), { mode: 0o755 });
  return path;
}

/** Compiles one C (or, with `cxx`, C++) source file on the host into `dir/name`. */
export function compile(dir: string, name: string, source: string, options: { cxx?: boolean; flags?: string[] } = {}): string {
  const src = join(dir, `${name}.${options.cxx ? 'cc' : 'c'}`);
  writeFileSync(src, source);
  const out = join(dir, name);
  execFileSync(options.cxx ? 'g++' : 'gcc', ['-O2', '-o', out, src, ...(options.flags ?? [])], { stdio: ['ignore', 'ignore', 'pipe'] });
  return out;
}
