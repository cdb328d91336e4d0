// Reads what the dynamic linker needs from an ELF file (its interpreter and DT_NEEDED names),
// treating the file as hostile: every offset and size is checked against the file, every count is
// capped, and only the few bytes needed are read (elf(5)).
import { closeSync, constants, fstatSync, openSync, readSync } from 'node:fs';
import { basename } from 'node:path';

import { UserError } from '../common/errors.js';

/** Machines we can run: 64-bit little-endian only. */
export type ElfMachine = 'x86_64' | 'aarch64';

/** What an ELF file asks of the dynamic linker. */
export interface ElfInfo {
  machine: ElfMachine;
  /** `exec` for a fixed-address executable, `dyn` for a PIE or a shared library. */
  type: 'exec' | 'dyn';
  /** PT_INTERP: the loader the kernel starts, or null for a static binary. */
  interp: string | null;
  /** DT_NEEDED names, in file order (raw bytes as latin1, unvalidated). */
  needed: string[];
}

const MACHINES: Record<number, ElfMachine> = { 62: 'x86_64', 183: 'aarch64' };
const ET_EXEC = 2;
const ET_DYN = 3;
const PT_LOAD = 1;
const PT_DYNAMIC = 2;
const PT_INTERP = 3;
const DT_NULL = 0n;
const DT_NEEDED = 1n;
const DT_STRTAB = 5n;
const DT_STRSZ = 10n;
const EHDR_SIZE = 64;
const PHDR_SIZE = 56;
const DYN_SIZE = 16;

/** Real programs have about a dozen program headers. */
const MAX_PROGRAM_HEADERS = 256;
/** Real programs have a few dozen dynamic entries. */
const MAX_DYNAMIC_ENTRIES = 4096;
/** DT_NEEDED entries of one file; a C++ program has four or five. */
export const MAX_NEEDED = 128;
/** The kernel's limit for PT_INTERP (PATH_MAX). */
const MAX_INTERP_BYTES = 4096;
/** A file name (NAME_MAX). */
const MAX_NAME_BYTES = 255;

interface Segment {
  type: number;
  offset: number;
  vaddr: bigint;
  filesz: number;
}

/** An open file and the label its errors use. */
interface Source {
  fd: number;
  size: number;
  label: string;
}

function malformed(src: Source, what: string): UserError {
  return new UserError('E_ELF_MALFORMED', `${src.label}: ${what}; this is not a program gcc or g++ produces, rebuild it from source`);
}

/** Reads exactly `length` bytes at `offset`, refusing any range that is not inside the file. */
function readAt(src: Source, offset: number, length: number, what: string): Buffer {
  if (offset > src.size || length > src.size - offset) {
    throw new UserError('E_ELF_TRUNCATED', `${src.label}: its ${what} (bytes ${offset}–${offset + length}) lie beyond the end of the file (${src.size} bytes); the file is truncated, rebuild it`);
  }
  const buf = Buffer.alloc(length);
  let done = 0;
  while (done < length) {
    const n = readSync(src.fd, buf, done, length - done, offset + done);
    if (n === 0) throw new UserError('E_ELF_TRUNCATED', `${src.label}: the file shrank while it was read; rebuild it`);
    done += n;
  }
  return buf;
}

/** A 64-bit field as a safe integer: anything larger cannot be an offset in a real file. */
function safe(src: Source, value: bigint, what: string): number {
  if (value > BigInt(Number.MAX_SAFE_INTEGER)) throw malformed(src, `its ${what} (${value}) is impossibly large`);
  return Number(value);
}

function openSource(path: string, label: string): Source {
  let fd: number;
  try {
    // O_NOFOLLOW: a link could point anywhere on the host; O_NONBLOCK: a FIFO must not hang us.
    fd = openSync(path, constants.O_RDONLY | constants.O_NOFOLLOW | constants.O_NONBLOCK);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new UserError('E_ELF_NOT_FOUND', `${label}: no such file; the build must produce it`);
    if (code === 'ELOOP') throw new UserError('E_ELF_NOT_A_FILE', `${label}: is a symbolic link; the program must be a regular file`);
    throw new UserError('E_ELF_NOT_A_FILE', `${label}: cannot be opened (${code ?? String(error)}); the program must be a readable regular file`);
  }
  const st = fstatSync(fd);
  if (!st.isFile()) {
    closeSync(fd);
    throw new UserError('E_ELF_NOT_A_FILE', `${label}: is not a regular file; the program must be a regular file`);
  }
  return { fd, size: st.size, label };
}

interface Header {
  machine: ElfMachine;
  type: 'exec' | 'dyn';
  phoff: number;
  phnum: number;
}

function readHeader(src: Source): Header {
  if (src.size < 4) throw new UserError('E_ELF_NOT_ELF', `${src.label}: is not an ELF program (${src.size} bytes); submit source code that compiles to a native program`);
  const ident = readAt(src, 0, Math.min(EHDR_SIZE, src.size), 'ELF header');
  if (ident.readUInt32BE(0) !== 0x7f454c46) {
    throw new UserError('E_ELF_NOT_ELF', `${src.label}: is not an ELF program (it starts with ${JSON.stringify(ident.subarray(0, 4).toString('latin1'))}); submit source code that compiles to a native program`);
  }
  if (ident.length < EHDR_SIZE) readAt(src, 0, EHDR_SIZE, 'ELF header'); // throws E_ELF_TRUNCATED
  if (ident[4] !== 2) throw new UserError('E_ELF_UNSUPPORTED', `${src.label}: is a 32-bit ELF program; only 64-bit programs run here, compile without -m32`);
  if (ident[5] !== 1) throw new UserError('E_ELF_UNSUPPORTED', `${src.label}: is a big-endian ELF program; only little-endian programs run here`);
  if (ident[6] !== 1 || ident.readUInt32LE(20) !== 1) throw malformed(src, 'its ELF version is not 1');
  const machineNr = ident.readUInt16LE(18);
  const machine = MACHINES[machineNr];
  if (!machine) throw new UserError('E_ELF_WRONG_MACHINE', `${src.label}: is built for ELF machine ${machineNr}; compile it on the grading host for x86-64`);
  const typeNr = ident.readUInt16LE(16);
  if (typeNr !== ET_EXEC && typeNr !== ET_DYN) throw new UserError('E_ELF_NOT_EXECUTABLE', `${src.label}: is an ELF file of type ${typeNr}, not an executable (an object file or a core dump?); link it into a program`);
  if (ident.readUInt16LE(54) !== PHDR_SIZE) throw malformed(src, `its program header size is ${ident.readUInt16LE(54)}, not ${PHDR_SIZE}`);
  const phnum = ident.readUInt16LE(56);
  if (phnum > MAX_PROGRAM_HEADERS) throw new UserError('E_ELF_TOO_MANY', `${src.label}: has ${phnum} program headers (at most ${MAX_PROGRAM_HEADERS}); rebuild it with the default linker options`);
  return { machine, type: typeNr === ET_EXEC ? 'exec' : 'dyn', phoff: safe(src, ident.readBigUInt64LE(32), 'program header offset'), phnum };
}

function readSegments(src: Source, header: Header): Segment[] {
  const table = readAt(src, header.phoff, header.phnum * PHDR_SIZE, 'program headers');
  const segments: Segment[] = [];
  for (let i = 0; i < header.phnum; i++) {
    const at = i * PHDR_SIZE;
    segments.push({
      type: table.readUInt32LE(at),
      offset: safe(src, table.readBigUInt64LE(at + 8), 'segment offset'),
      vaddr: table.readBigUInt64LE(at + 16),
      filesz: safe(src, table.readBigUInt64LE(at + 32), 'segment size'),
    });
  }
  return segments;
}

/** The one segment of a type, or null; two are nonsense the kernel or loader would refuse. */
function single(src: Source, segments: Segment[], type: number, name: string): Segment | null {
  const found = segments.filter((s) => s.type === type);
  if (found.length > 1) throw malformed(src, `it has ${found.length} ${name} segments`);
  return found[0] ?? null;
}

/** A NUL-terminated string of at most `max` bytes inside [offset, offset + room). */
function readString(src: Source, offset: number, room: number, max: number, what: string): string {
  const bytes = readAt(src, offset, Math.min(room, max + 1), what);
  const end = bytes.indexOf(0);
  if (end < 0) throw malformed(src, `its ${what} is not NUL-terminated within ${max} bytes`);
  if (end === 0) throw malformed(src, `its ${what} is empty`);
  return bytes.subarray(0, end).toString('latin1');
}

function readInterp(src: Source, segment: Segment): string {
  if (segment.filesz > MAX_INTERP_BYTES) throw malformed(src, `its interpreter path is ${segment.filesz} bytes long`);
  return readString(src, segment.offset, segment.filesz, MAX_INTERP_BYTES - 1, 'interpreter path (PT_INTERP)');
}

interface DynamicTable {
  needed: bigint[];
  strtab: bigint | null;
  strsz: bigint | null;
}

function readDynamic(src: Source, segment: Segment): DynamicTable {
  const count = Math.floor(segment.filesz / DYN_SIZE);
  const table = readAt(src, segment.offset, Math.min(count, MAX_DYNAMIC_ENTRIES) * DYN_SIZE, 'dynamic section');
  const dyn: DynamicTable = { needed: [], strtab: null, strsz: null };
  for (let at = 0; at < table.length; at += DYN_SIZE) {
    const tag = table.readBigInt64LE(at);
    const value = table.readBigUInt64LE(at + 8);
    if (tag === DT_NULL) return dyn;
    if (tag === DT_NEEDED) {
      if (dyn.needed.length === MAX_NEEDED) throw new UserError('E_ELF_TOO_MANY_NEEDED', `${src.label}: asks for more than ${MAX_NEEDED} shared libraries (DT_NEEDED); link only the libraries it uses`);
      dyn.needed.push(value);
    } else if (tag === DT_STRTAB) dyn.strtab = value;
    else if (tag === DT_STRSZ) dyn.strsz = value;
  }
  if (count > MAX_DYNAMIC_ENTRIES) throw new UserError('E_ELF_TOO_MANY', `${src.label}: its dynamic section has more than ${MAX_DYNAMIC_ENTRIES} entries; rebuild it with the default linker options`);
  return dyn; // the segment's end stands in for a missing DT_NULL
}

/** The file offset of a virtual address range, through the PT_LOAD segment that holds all of it. */
function fileOffsetOf(src: Source, segments: Segment[], vaddr: bigint, length: bigint, what: string): number {
  for (const s of segments) {
    if (s.type !== PT_LOAD || vaddr < s.vaddr) continue;
    const into = vaddr - s.vaddr;
    if (into + length <= BigInt(s.filesz)) return s.offset + Number(into);
  }
  throw malformed(src, `its ${what} (address 0x${vaddr.toString(16)}, ${length} bytes) is not inside any loaded segment`);
}

function neededNames(src: Source, segments: Segment[], dyn: DynamicTable): string[] {
  if (dyn.needed.length === 0) return [];
  if (dyn.strtab === null || dyn.strsz === null) throw malformed(src, 'it names shared libraries but has no string table (DT_STRTAB, DT_STRSZ)');
  const strsz = dyn.strsz;
  const strtab = fileOffsetOf(src, segments, dyn.strtab, strsz, 'dynamic string table');
  return dyn.needed.map((name) => {
    if (name >= strsz) throw malformed(src, `a DT_NEEDED name lies outside its string table (offset ${name}, size ${strsz})`);
    return readString(src, strtab + Number(name), Number(strsz - name), MAX_NAME_BYTES, 'shared library name (DT_NEEDED)');
  });
}

/**
 * Reads the ELF header, PT_INTERP and the DT_NEEDED names of `path` without running anything.
 * Refuses links, non-regular files and anything malformed with a `UserError` (`E_ELF_*`) that
 * names `label` (the file's base name unless given).
 */
export function readElf(path: string, label: string = basename(path)): ElfInfo {
  const src = openSource(path, label);
  try {
    const header = readHeader(src);
    const segments = readSegments(src, header);
    const interpSegment = single(src, segments, PT_INTERP, 'PT_INTERP');
    const dynamicSegment = single(src, segments, PT_DYNAMIC, 'PT_DYNAMIC');
    const interp = interpSegment ? readInterp(src, interpSegment) : null;
    const needed = dynamicSegment ? neededNames(src, segments, readDynamic(src, dynamicSegment)) : [];
    return { machine: header.machine, type: header.type, interp, needed };
  } finally {
    closeSync(src.fd);
  }
}
