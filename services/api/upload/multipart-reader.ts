// Streams a multipart/form-data request through busboy, metering the body and leaving no stream hanging.
import type { IncomingHttpHeaders } from 'node:http';
import type { Readable } from 'node:stream';

import busboy, { type Busboy, type FieldInfo } from 'busboy';

import { UploadError } from '../../intake/upload-error.js';
import type { UploadLimits } from '../../intake/upload-limits.js';

/** The request as the route hands it over: its headers and its body stream (an IncomingMessage). */
export interface UploadRequest {
  headers: IncomingHttpHeaders;
  stream: Readable;
}

/** What to do with each part; a thrown error or a rejection refuses the whole upload. */
export interface MultipartHandlers {
  onField(name: string, value: string): void;
  /** Must consume `stream` (or reject). `fileName` is undefined when the part has none. */
  onFile(fileName: string | undefined, stream: Readable): Promise<void>;
}

// Header lines per part: a real part has two or three; thousands would only cost parsing time.
const HEADER_PAIRS = 20;
const FIELD_NAME_BYTES = 100;

/**
 * Reads the body of `request` part by part. Resolves when every part is parsed and every onFile has
 * settled. On the first refusal it stops parsing, destroys the open part streams, waits for the
 * handlers to settle (so nothing is written afterwards), releases the request and rejects.
 */
export function readMultipart(request: UploadRequest, handlers: MultipartHandlers, limits: UploadLimits): Promise<void> {
  let parser: Busboy;
  try {
    checkDeclaredLength(request.headers, limits);
    parser = createParser(request.headers, limits);
  } catch (error) {
    releaseRequest(request.stream, limits.maxBodyBytes);
    return Promise.reject(error);
  }
  return new MultipartRun(request.stream, parser, handlers, limits).start();
}

/** One request being read: the parser, the body meter, the pending file handlers, the first failure. */
class MultipartRun {
  private readonly pending = new Set<Promise<void>>();
  private readonly openFiles = new Set<Readable>();
  private failed = false;
  private received = 0;
  private settle: { resolve: () => void; reject: (error: unknown) => void } | undefined;

  constructor(
    private readonly body: Readable,
    private readonly parser: Busboy,
    private readonly handlers: MultipartHandlers,
    private readonly limits: UploadLimits,
  ) {}

  start(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.settle = { resolve, reject };
      this.listenToParser();
      this.body.on('data', this.onData);
      this.body.on('end', this.onEnd);
      this.body.on('error', this.onBodyError);
      this.body.on('close', this.onBodyClose);
      this.body.resume();
    });
  }

  private listenToParser(): void {
    const { parser, limits } = this;
    parser.on('drain', () => this.body.resume());
    parser.on('field', (name: string, value: string, info: FieldInfo) => this.guard(() => {
      checkField(name, info, limits);
      this.handlers.onField(name, value);
    }));
    parser.on('file', (_name: string, stream: Readable, info: { filename?: string }) => this.startFile(info.filename, stream));
    parser.on('filesLimit', () => this.fail(new UploadError('E_UPLOAD_TOO_MANY_FILES',
      `upload has more than ${limits.maxEntries} files; submit fewer files, or one archive`)));
    parser.on('fieldsLimit', () => this.fail(new UploadError('E_UPLOAD_TOO_MANY_FIELDS',
      `upload form has more than ${limits.maxFields} text fields; send only the fields the API documents`)));
    parser.on('partsLimit', () => this.fail(new UploadError('E_UPLOAD_TOO_MANY_FILES',
      `upload form has more than ${limits.maxFields + limits.maxEntries} parts; submit fewer files, or one archive`)));
    parser.on('error', (error: Error) => this.fail(malformed(error.message)));
    parser.on('finish', () => { void this.finish(); });
  }

  private startFile(fileName: string | undefined, stream: Readable): void {
    if (this.failed) {
      stream.resume();
      return;
    }
    // busboy fails the part in progress when we destroy it; its reader may be gone by then.
    stream.on('error', () => undefined);
    this.openFiles.add(stream);
    const task: Promise<void> = this.handlers.onFile(fileName, stream)
      // A part cut short fails its stream with busboy's plain Error: that is a malformed body, not a bug.
      .catch((error: unknown) => this.fail(error === stream.errored ? malformed((error as Error).message) : error))
      .finally(() => {
        this.openFiles.delete(stream);
        this.pending.delete(task);
      });
    this.pending.add(task);
  }

  private readonly onData = (chunk: Buffer): void => {
    this.received += chunk.byteLength;
    if (this.received > this.limits.maxBodyBytes) {
      this.fail(new UploadError('E_UPLOAD_BODY_TOO_LARGE',
        `upload body is larger than ${this.limits.maxBodyBytes} bytes; submit fewer or smaller files`));
      return;
    }
    if (!this.parser.write(chunk)) this.body.pause();
  };

  private readonly onEnd = (): void => { this.parser.end(); };

  private readonly onBodyError = (error: Error): void => {
    this.fail(new UploadError('E_UPLOAD_ABORTED', `upload request failed before its end (${error.message}); send it again`));
  };

  private readonly onBodyClose = (): void => {
    if (!this.body.readableEnded) this.onBodyError(new Error('the connection closed'));
  };

  private guard(step: () => void): void {
    try {
      step();
    } catch (error) {
      this.fail(error);
    }
  }

  private async finish(): Promise<void> {
    await Promise.allSettled([...this.pending]);
    if (!this.failed) {
      this.detach();
      this.settle?.resolve();
    }
  }

  /** Stops at the first failure; later ones are consequences and are dropped. */
  private fail(error: unknown): void {
    if (this.failed) return;
    this.failed = true;
    this.detach();
    // busboy reports the cut-off form as an error after destroy(): keep a listener so it is not unhandled.
    this.parser.on('error', () => undefined);
    this.parser.destroy();
    for (const stream of this.openFiles) stream.destroy();
    releaseRequest(this.body, this.limits.maxBodyBytes);
    void Promise.allSettled([...this.pending]).then(() => this.settle?.reject(error));
  }

  private detach(): void {
    this.body.off('data', this.onData);
    this.body.off('end', this.onEnd);
    this.body.off('error', this.onBodyError);
    this.body.off('close', this.onBodyClose);
  }
}

function checkDeclaredLength(headers: IncomingHttpHeaders, limits: UploadLimits): void {
  const declared = Number(headers['content-length']);
  if (Number.isFinite(declared) && declared > limits.maxBodyBytes) {
    throw new UploadError('E_UPLOAD_BODY_TOO_LARGE',
      `upload body of ${declared} bytes is larger than ${limits.maxBodyBytes} bytes; submit fewer or smaller files`);
  }
}

function createParser(headers: IncomingHttpHeaders, limits: UploadLimits): Busboy {
  const type = headers['content-type'] ?? '';
  if (!/^\s*multipart\/form-data\s*(;|$)/i.test(type)) {
    throw new UploadError('E_UPLOAD_NOT_MULTIPART',
      `upload Content-Type is ${JSON.stringify(type)}; send the submission as multipart/form-data`);
  }
  try {
    return busboy({
      headers,
      preservePath: true, // keep the portal's relative paths; they are checked like archive names
      defParamCharset: 'utf8', // browsers send UTF-8 file names as raw bytes
      limits: {
        fields: limits.maxFields,
        fieldSize: limits.maxFieldBytes,
        fieldNameSize: FIELD_NAME_BYTES,
        files: limits.maxEntries,
        parts: limits.maxFields + limits.maxEntries,
        headerPairs: HEADER_PAIRS,
      },
    });
  } catch (error) {
    throw malformed((error as Error).message);
  }
}

function checkField(name: string, info: FieldInfo, limits: UploadLimits): void {
  if (info.nameTruncated) {
    throw new UploadError('E_UPLOAD_FIELD_TOO_LARGE', `upload field name longer than ${FIELD_NAME_BYTES} bytes; use the documented field names`);
  }
  if (info.valueTruncated) {
    throw new UploadError('E_UPLOAD_FIELD_TOO_LARGE',
      `upload field ${JSON.stringify(name)} is longer than ${limits.maxFieldBytes} bytes; shorten its value`);
  }
}

function malformed(detail: string): UploadError {
  return new UploadError('E_UPLOAD_MALFORMED', `upload body is not valid multipart/form-data (${detail}); send a well-formed form with a boundary`);
}

/**
 * Lets go of a request we stopped reading: the rest is read and discarded so the route can still
 * answer on the same connection, but a body longer than `maxDiscard` more bytes is destroyed.
 */
function releaseRequest(stream: Readable, maxDiscard: number): void {
  if (stream.readableEnded || stream.destroyed) return;
  let discarded = 0;
  stream.on('error', () => undefined); // the client going away now is no one's concern
  stream.on('data', (chunk: Buffer) => {
    discarded += chunk.byteLength;
    if (discarded > maxDiscard) stream.destroy();
  });
  stream.resume();
}
