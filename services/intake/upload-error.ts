// The refusals of an upload, and of every untrusted file tree taken in the same way (a job's files, a
// fetched tar): a stable code, a sentence naming the bad input, and the HTTP status a route answers with.
import { UserError } from '../common/errors.js';

/** Every refusal code and the HTTP status that goes with it. */
export const UPLOAD_ERROR_STATUS = {
  /** The request is not multipart/form-data. */
  E_UPLOAD_NOT_MULTIPART: 415,
  /** Multipart syntax is broken: no boundary, bad part header, body ends early. */
  E_UPLOAD_MALFORMED: 400,
  /** The client went away or the request stream failed before the body ended. */
  E_UPLOAD_ABORTED: 400,
  /** The same text field twice. */
  E_UPLOAD_FIELD_DUPLICATE: 400,
  E_UPLOAD_BODY_TOO_LARGE: 413,
  E_UPLOAD_TOO_MANY_FIELDS: 413,
  E_UPLOAD_FIELD_TOO_LARGE: 413,
  E_UPLOAD_TOO_MANY_FILES: 413,
  E_UPLOAD_FILE_TOO_LARGE: 413,
  E_UPLOAD_TOTAL_TOO_LARGE: 413,
  /** Unpacked output far larger than the archive: a decompression bomb. */
  E_UPLOAD_ARCHIVE_RATIO: 413,
  /** Archive and plain files together, or two archives. */
  E_UPLOAD_MIXED: 422,
  /** No file at all (or an archive holding none). */
  E_UPLOAD_NO_FILES: 422,
  E_UPLOAD_NAME_EMPTY: 422,
  E_UPLOAD_NAME_ABSOLUTE: 422,
  E_UPLOAD_NAME_TRAVERSAL: 422,
  E_UPLOAD_NAME_CHARACTERS: 422,
  E_UPLOAD_NAME_DOTS: 422,
  E_UPLOAD_NAME_TOO_LONG: 422,
  E_UPLOAD_NAME_TOO_DEEP: 422,
  /** Two entries with the same name after normalization (also case-only), or a file that is also a folder. */
  E_UPLOAD_DUPLICATE: 422,
  /** Symlink, hard link, device, FIFO or any entry that is not a regular file or a folder. */
  E_UPLOAD_ENTRY_TYPE: 422,
  /** Truncated or garbage archive, or one whose sizes do not match its content. */
  E_UPLOAD_ARCHIVE_CORRUPT: 422,
  /** Encrypted entries or a compression method we do not unpack. */
  E_UPLOAD_ARCHIVE_UNSUPPORTED: 422,
} as const;

export type UploadErrorCode = keyof typeof UPLOAD_ERROR_STATUS;

/** A refused upload; `status` is the HTTP status the route should answer with. */
export class UploadError extends UserError {
  readonly status: number;
  constructor(
    override readonly code: UploadErrorCode,
    message: string,
  ) {
    super(code, message);
    this.status = UPLOAD_ERROR_STATUS[code];
  }
}
