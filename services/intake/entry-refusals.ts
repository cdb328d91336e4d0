// The refusals shared by the zip and tar unpackers: entry types we never unpack, and archives we cannot read.
import { InternalError } from '../common/errors.js';
import { describeName } from './safe-names.js';
import { UploadError } from './upload-error.js';

/** Refuses an entry that is not a regular file or a folder (`what`: "a symbolic link", "a FIFO", …). */
export function refuseEntryType(rawName: string, what: string): never {
  throw new UploadError('E_UPLOAD_ENTRY_TYPE',
    `upload entry ${describeName(rawName)} is refused: it is ${what}, and only regular files and folders are accepted; ` +
    'replace it with the file itself');
}

/**
 * The error to report for a failure while reading an archive: our own refusals and internal
 * errors pass through, a failed system call is internal, anything else comes from the parser or
 * the decompressor and means the archive is damaged.
 */
export function archiveFailure(error: unknown, kind: string): Error {
  if (error instanceof UploadError || error instanceof InternalError) return error;
  const message = error instanceof Error ? error.message : String(error);
  if (error instanceof Error && 'syscall' in error) {
    return new InternalError('E_UPLOAD_STAGING', `could not read the uploaded ${kind} archive: ${message}`, { cause: error });
  }
  return new UploadError('E_UPLOAD_ARCHIVE_CORRUPT',
    `upload archive is not a readable ${kind} archive (${message}); make the archive again and re-upload it`);
}
