// The caps that keep a hostile upload (or any file tree taken in like one) from filling the disk, the
// memory or the inode table.
import { InternalError } from '../common/errors.js';

const MiB = 1024 * 1024;

/** Caps on one submission upload; every one is checked on bytes actually received, never on sizes a header claims. */
export interface UploadLimits {
  /**
   * Bytes of the whole request body. After a refusal, at most this many further bytes are read
   * and discarded (so the route can still answer); a longer body is destroyed.
   * @defaultValue 20 MiB
   */
  maxBodyBytes: number;
  /**
   * Files in a multipart upload, or entries (files and folders) in an archive.
   * @defaultValue 1000
   */
  maxEntries: number;
  /**
   * Bytes of one file, uploaded or unpacked.
   * @defaultValue 10 MiB
   */
  maxFileBytes: number;
  /**
   * Bytes of all files together, after unpacking.
   * @defaultValue 50 MiB
   */
  maxTotalBytes: number;
  /**
   * UTF-8 bytes of one normalized relative path. (Each segment is also capped at 255 bytes, the
   * NAME_MAX of Linux file systems.)
   * @defaultValue 512
   */
  maxPathBytes: number;
  /**
   * Segments of one normalized relative path (`a/b/c.txt` has 3).
   * @defaultValue 16
   */
  maxPathDepth: number;
  /**
   * Text fields of the form.
   * @defaultValue 32
   */
  maxFields: number;
  /**
   * Bytes of one text field value.
   * @defaultValue 16 KiB
   */
  maxFieldBytes: number;
  /**
   * Unpacked bytes allowed per compressed byte of an archive (a zip bomb reaches 1000:1 and more).
   * Counted while unpacking; an archive is refused as soon as its output passes this ratio.
   * @defaultValue 100
   */
  maxCompressionRatio: number;
  /**
   * Unpacked bytes always allowed whatever the ratio, so a tiny archive of a very repetitive text
   * file is not refused.
   * @defaultValue 1 MiB
   */
  ratioGraceBytes: number;
  /**
   * Bytes of plain files one upload keeps in memory instead of writing them to its staging
   * folder. Most submissions are a few small source files: kept in memory, they reach the blob
   * store without a staging file made and removed (on ext4 creating an inode costs more than
   * hashing and storing a few KiB).
   * @defaultValue 256 KiB
   */
  memoryBytes: number;
}

export const DEFAULT_UPLOAD_LIMITS: Readonly<UploadLimits> = Object.freeze({
  maxBodyBytes: 20 * MiB,
  maxEntries: 1000,
  maxFileBytes: 10 * MiB,
  maxTotalBytes: 50 * MiB,
  maxPathBytes: 512,
  maxPathDepth: 16,
  maxFields: 32,
  maxFieldBytes: 16 * 1024,
  maxCompressionRatio: 100,
  ratioGraceBytes: 1 * MiB,
  memoryBytes: 256 * 1024,
});

/** The defaults overridden by `overrides`; a cap that is not a positive number is a programming error. */
export function resolveUploadLimits(overrides: Partial<UploadLimits> = {}): UploadLimits {
  const limits: UploadLimits = { ...DEFAULT_UPLOAD_LIMITS };
  for (const [key, value] of Object.entries(overrides) as Array<[keyof UploadLimits, number | undefined]>) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_UPLOAD_LIMITS)) throw new InternalError('E_UPLOAD_LIMITS', `unknown upload limit "${key}"`);
    if (typeof value !== 'number' || !(value > 0)) {
      throw new InternalError('E_UPLOAD_LIMITS', `upload limit ${key} must be a positive number, got ${String(value)}`);
    }
    limits[key] = value;
  }
  return limits;
}
