// Turns an archive entry name or a multipart filename into a safe relative POSIX path, or refuses it.
import { UploadError, type UploadErrorCode } from './upload-error.js';
import type { UploadLimits } from './upload-limits.js';

/** Longest segment Linux file systems take (NAME_MAX, in bytes). */
const NAME_MAX = 255;
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/;
// Bidirectional overrides and isolates make a name display differently from what it is
// ("Trojan Source", CVE-2021-42574): refused like control characters.
const BIDI = /[\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/;
const DRIVE = /^[A-Za-z]:/;
const ONLY_DOTS = /^\.+$/;

/** Whether the name is of a file (must name something) or of a folder (may reduce to the root, as tar's `./`). */
export type EntryKind = 'file' | 'directory';

/**
 * The normalized relative path of `raw`: NFC, `\` read as `/`, empty and `.` segments dropped
 * (so `./src//a.c` is `src/a.c`, as `tar -C dir .` writes it). Refused with an {@link UploadError}:
 * empty names, absolute paths (`/x`, `C:\x`, `\\server\x`), `..` segments, segments made only of
 * dots (`...`), control or bidirectional-override characters, undecodable bytes (U+FFFD), and paths
 * over the length or depth caps. A directory name that reduces to nothing returns `''` (the root).
 */
export function normalizeEntryName(
  raw: string,
  limits: Pick<UploadLimits, 'maxPathBytes' | 'maxPathDepth'>,
  kind: EntryKind = 'file',
): string {
  if (raw === '') refuse('E_UPLOAD_NAME_EMPTY', raw, 'has an empty name; give every file a name');
  checkCharacters(raw);
  const slashed = raw.normalize('NFC').replace(/\\/g, '/');
  if (slashed.startsWith('/') || DRIVE.test(slashed)) {
    refuse('E_UPLOAD_NAME_ABSOLUTE', raw, 'is an absolute path; paths must be relative to the submission folder');
  }
  const all = slashed.split('/');
  const segments = all.filter((segment) => segment !== '' && segment !== '.');
  checkSegments(raw, segments);
  if (kind === 'file' && (segments.length === 0 || all.at(-1) === '' || all.at(-1) === '.')) {
    refuse('E_UPLOAD_NAME_EMPTY', raw, 'names a folder, not a file (it is empty or ends in "/" or "."); give the file a name');
  }
  if (segments.length === 0) return '';
  const path = segments.join('/');
  if (Buffer.byteLength(path) > limits.maxPathBytes) {
    refuse('E_UPLOAD_NAME_TOO_LONG', raw, `is longer than ${limits.maxPathBytes} bytes; shorten the path`);
  }
  if (segments.length > limits.maxPathDepth) {
    refuse('E_UPLOAD_NAME_TOO_DEEP', raw, `is nested ${segments.length} folders deep, more than ${limits.maxPathDepth}; flatten the folders`);
  }
  return path;
}

function checkCharacters(raw: string): void {
  if (raw.includes('\uFFFD')) {
    refuse('E_UPLOAD_NAME_CHARACTERS', raw, 'is not valid UTF-8; rename the file with plain characters');
  }
  if (CONTROL.test(raw) || BIDI.test(raw)) {
    refuse('E_UPLOAD_NAME_CHARACTERS', raw, 'contains a control or text-direction character; rename the file');
  }
}

function checkSegments(raw: string, segments: string[]): void {
  for (const segment of segments) {
    if (segment === '..') {
      refuse('E_UPLOAD_NAME_TRAVERSAL', raw, 'has a ".." segment, which would leave the submission folder; pack the folder from inside it');
    }
    if (ONLY_DOTS.test(segment)) {
      refuse('E_UPLOAD_NAME_DOTS', raw, `has a segment made only of dots ("${segment}"); rename it`);
    }
    if (Buffer.byteLength(segment) > NAME_MAX) {
      refuse('E_UPLOAD_NAME_TOO_LONG', raw, `has a segment longer than ${NAME_MAX} bytes; shorten it`);
    }
  }
}

function refuse(code: UploadErrorCode, raw: string, why: string): never {
  throw new UploadError(code, `upload entry ${describeName(raw)} is refused: it ${why}`);
}

/** A name quoted for a message: control and direction characters escaped, long names cut. */
export function describeName(raw: string): string {
  const cut = raw.length > 160 ? `${raw.slice(0, 160)}…` : raw;
  return JSON.stringify(cut).replace(/[\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
