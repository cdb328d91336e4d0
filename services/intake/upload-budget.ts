// Counts what an upload (or another untrusted file tree) has used so far (entries, bytes, names) and
// refuses the step that would pass a cap.
import { describeName } from './safe-names.js';
import { UploadError } from './upload-error.js';
import type { UploadLimits } from './upload-limits.js';

/**
 * The running account of one upload or one archive. Names are compared after case folding: two
 * entries that differ only in case are refused, because a student's archive made on macOS or
 * Windows cannot hold both, and a grader copied to such a machine would silently lose one.
 */
export class UploadBudget {
  private entries = 0;
  private totalBytes = 0;
  /** Folded name → the name as given, for files and for the folders their paths imply. */
  private readonly files = new Map<string, string>();
  private readonly folders = new Map<string, string>();

  /**
   * @param compressedBytes - for an archive, how many compressed bytes it has (or has read so far);
   *   the unpacked total is held to `maxCompressionRatio` times that.
   */
  constructor(
    private readonly limits: UploadLimits,
    private readonly compressedBytes?: () => number,
  ) {}

  /** Counts one more file or archive entry. */
  countEntry(path: string): void {
    this.entries += 1;
    if (this.entries > this.limits.maxEntries) {
      throw new UploadError('E_UPLOAD_TOO_MANY_FILES',
        `upload has more than ${this.limits.maxEntries} files or archive entries (refused at ${describeName(path)}); submit fewer files`);
    }
  }

  /**
   * Claims a file path: refused when it, or a case-only variant, is already a file or a folder,
   * when a parent is a file, or when a parent folder was spelt with other case before.
   */
  claimFile(path: string): void {
    const key = fold(path);
    const earlier = this.files.get(key) ?? this.folders.get(key);
    if (earlier !== undefined) duplicate(path, earlier);
    this.claimParents(path);
    this.files.set(key, path);
  }

  /** Claims a folder path (from an archive's folder entry); `''` is the root and always fine. */
  claimFolder(path: string): void {
    if (path === '') return;
    this.claimParents(path);
    this.claimFolderName(path, path);
  }

  /** Accounts `bytes` more of the file `path`, which has `sizeSoFar` bytes already; throws before a cap is passed. */
  addBytes(path: string, sizeSoFar: number, bytes: number): void {
    const { maxFileBytes, maxTotalBytes } = this.limits;
    if (sizeSoFar + bytes > maxFileBytes) {
      throw new UploadError('E_UPLOAD_FILE_TOO_LARGE',
        `upload file ${describeName(path)} is larger than ${maxFileBytes} bytes; submit a smaller file`);
    }
    const total = this.totalBytes + bytes;
    if (total > maxTotalBytes) {
      throw new UploadError('E_UPLOAD_TOTAL_TOO_LARGE',
        `upload files add up to more than ${maxTotalBytes} bytes (refused at ${describeName(path)}); submit less`);
    }
    this.checkRatio(path, total);
    this.totalBytes = total;
  }

  private checkRatio(path: string, total: number): void {
    if (!this.compressedBytes) return;
    const { maxCompressionRatio, ratioGraceBytes } = this.limits;
    const allowed = Math.max(ratioGraceBytes, maxCompressionRatio * this.compressedBytes());
    if (total > allowed) {
      throw new UploadError('E_UPLOAD_ARCHIVE_RATIO',
        `upload archive unpacks to more than ${maxCompressionRatio} times its size (refused at ${describeName(path)}); ` +
        'it looks like a decompression bomb; submit the files themselves');
    }
  }

  private claimParents(path: string): void {
    const segments = path.split('/');
    for (let depth = 1; depth < segments.length; depth += 1) {
      this.claimFolderName(segments.slice(0, depth).join('/'), path);
    }
  }

  private claimFolderName(folder: string, forPath: string): void {
    const key = fold(folder);
    const file = this.files.get(key);
    if (file !== undefined) duplicate(forPath, file);
    const spelt = this.folders.get(key);
    if (spelt !== undefined && spelt !== folder) duplicate(forPath, spelt);
    this.folders.set(key, folder);
  }
}

function fold(path: string): string {
  return path.toLowerCase();
}

function duplicate(path: string, earlier: string): never {
  const how = earlier === path ? 'appears twice' : `clashes with ${describeName(earlier)} (same name ignoring case, or a file used as a folder)`;
  throw new UploadError('E_UPLOAD_DUPLICATE', `upload entry ${describeName(path)} ${how}; keep one of them`);
}
