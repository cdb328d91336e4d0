// The caps and timeouts of a store, each with its default.
import { InternalError } from '../common/errors.js';

const MiB = 1024 * 1024;

export interface StoreOptions {
  /**
   * Milliseconds a statement waits for another process's write lock before it fails (two
   * processes share one database: the API and a CLI `keys create`).
   * @defaultValue 5000
   */
  busyTimeoutMs: number;
  /**
   * Bytes of one blob (a submission file or an evidence archive). Above the evidence cap
   * (64 MiB of files by default) so an archive of that much evidence with its headers still fits.
   * @defaultValue 128 MiB
   */
  maxBlobBytes: number;
  /**
   * Files in one submission.
   * @defaultValue 1000
   */
  maxFilesPerSubmission: number;
  /**
   * Bytes of all files of one submission together.
   * @defaultValue 50 MiB
   */
  maxSubmissionBytes: number;
  /**
   * Bytes of one result, incident record or event, as JSON.
   * @defaultValue 8 MiB
   */
  maxJsonBytes: number;
}

export const DEFAULT_STORE_OPTIONS: Readonly<StoreOptions> = Object.freeze({
  busyTimeoutMs: 5000,
  maxBlobBytes: 128 * MiB,
  maxFilesPerSubmission: 1000,
  maxSubmissionBytes: 50 * MiB,
  maxJsonBytes: 8 * MiB,
});

/** The defaults overridden by `overrides`; a value that is not a positive whole number is a programming error. */
export function resolveStoreOptions(overrides: Partial<StoreOptions> = {}): StoreOptions {
  const options: StoreOptions = { ...DEFAULT_STORE_OPTIONS };
  for (const [key, value] of Object.entries(overrides) as Array<[keyof StoreOptions, number | undefined]>) {
    if (value === undefined) continue;
    if (!(key in DEFAULT_STORE_OPTIONS)) throw new InternalError('E_STORE_OPTIONS', `unknown store option "${key}"`);
    if (!Number.isSafeInteger(value) || value < 1) {
      throw new InternalError('E_STORE_OPTIONS', `store option ${key} must be a whole number above 0, got ${String(value)}`);
    }
    options[key] = value;
  }
  return options;
}
