// A worker backend that talks to the API over HTTP: plain tars in, evidence out, a bearer token on each call.
import { createReadStream, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import type { ReadableStream as WebReadableStream } from 'node:stream/web';

import { InternalError } from '../common/errors.js';
import { httpExchange, type HttpAnswer } from '../common/http-exchange.js';
import { unpackArchive } from '../intake/archive-unpacker.js';
import type { UploadLimits } from '../intake/upload-limits.js';
import { apiRoutes } from '../protocol/api-routes.js';
import { pathOf } from '../protocol/http-route.js';
import type { ResultMessage } from '../protocol/result-message.js';
import { GraderCache } from './grader-cache.js';
import { RESULT_REFUSED } from './result-delivery.js';
import type { WorkerBackend } from './worker-backend.js';

const MiB = 1024 * 1024;

/** A grader carries its tests' inputs and outputs: roomier caps than a student's upload. */
const GRADER_LIMITS: Partial<UploadLimits> = { maxEntries: 20_000, maxFileBytes: 256 * MiB, maxTotalBytes: 2048 * MiB, maxPathDepth: 32 };

export interface HttpBackendOptions {
  /** The API's base address, e.g. `http://api.internal:8080`. */
  apiUrl: string;
  /** The worker token, sent as `Authorization: Bearer <token>`. */
  token: string;
  /** Where checked grader folders are kept, one per digest. */
  cacheDir: string;
  /** One request (headers and body) may take this long, ms. @defaultValue 120000 */
  timeoutMs?: number;
}

/** Statuses with which the API judges a result message itself. */
const REFUSING_STATUSES = new Set([400, 404, 409, 413, 422]);

function errorCodeOf(answer: string): string | undefined {
  try {
    return (JSON.parse(answer) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined;
  }
}

export class HttpBackend implements WorkerBackend {
  private readonly graders: GraderCache;
  private readonly base: string;

  constructor(private readonly options: HttpBackendOptions) {
    this.base = options.apiUrl.replace(/\/+$/, '');
    this.graders = new GraderCache(options.cacheDir, (digest, dir) => this.fetchTar(pathOf(apiRoutes.grader, { digest }), dir, GRADER_LIMITS));
  }

  async submissionFiles(submissionId: string, scratchDir: string): Promise<string> {
    const dir = join(scratchDir, 'submission');
    await this.fetchTar(pathOf(apiRoutes.submissionFiles, { id: submissionId }), dir, {});
    return dir;
  }

  graderDir(digest: string): Promise<string> {
    return this.graders.dir(digest);
  }

  async uploadEvidence(sha256: string, path: string): Promise<void> {
    await this.request('PUT', pathOf(apiRoutes.evidence, { sha256 }), {
      body: Readable.toWeb(createReadStream(path)) as ReadableStream<Uint8Array>,
      duplex: 'half',
      headers: { 'content-type': 'application/octet-stream' },
    });
  }

  /**
   * POSTs the message as JSON (node:http, lighter than fetch: one per submission). Only the
   * API's verdict on the message itself is a refusal for good (invalid, too large, unknown
   * submission or grading); anything else may pass: a wrong token (being rotated), a route this
   * API does not have yet (a worker upgraded first), a server failure, no answer.
   */
  async sendResult(message: ResultMessage, signal?: AbortSignal): Promise<void> {
    const url = `${this.base}${pathOf(apiRoutes.results)}`;
    const body = Buffer.from(JSON.stringify(message));
    let answer: HttpAnswer;
    try {
      answer = await httpExchange(url, {
        method: 'POST', body, signal, timeoutMs: this.options.timeoutMs ?? 120_000,
        headers: { authorization: `Bearer ${this.options.token}`, 'content-type': 'application/json', 'content-length': body.length },
      });
    } catch (error) {
      throw new InternalError('E_API_UNREACHABLE', `POST ${url}: ${(error as Error).message}`, { cause: error });
    }
    if (answer.status >= 200 && answer.status < 300) return;
    const refused = REFUSING_STATUSES.has(answer.status) && errorCodeOf(answer.text) !== 'E_NO_ROUTE';
    throw new InternalError(refused ? RESULT_REFUSED : 'E_API_STATUS', `POST ${url}: HTTP ${answer.status} ${answer.text.slice(0, 300)}`.trim());
  }

  private async request(method: string, path: string, init: RequestInit = {}): Promise<Response> {
    const url = `${this.base}${path}`;
    let response: Response;
    try {
      response = await fetch(url, {
        ...init,
        method,
        headers: { ...(init.headers as Record<string, string> | undefined), authorization: `Bearer ${this.options.token}` },
        signal: AbortSignal.timeout(this.options.timeoutMs ?? 120_000),
      });
    } catch (error) {
      throw new InternalError('E_API_UNREACHABLE', `${method} ${url}: ${error instanceof Error ? (error.cause as Error | undefined)?.message ?? error.message : String(error)}`, { cause: error });
    }
    if (!response.ok) {
      const text = (await response.text().catch(() => '')).slice(0, 300);
      throw new InternalError('E_API_STATUS', `${method} ${url}: HTTP ${response.status} ${text}`.trim());
    }
    return response;
  }

  /** GETs a plain tar and unpacks it into `dir` with the upload unpacker's checks (no links, no escapes, caps). */
  private async fetchTar(path: string, dir: string, limits: Partial<UploadLimits>): Promise<void> {
    const response = await this.request('GET', path);
    if (!response.body) throw new InternalError('E_API_STATUS', `GET ${path}: empty body`);
    mkdirSync(dir, { recursive: true });
    try {
      await unpackArchive(Readable.fromWeb(response.body as WebReadableStream<Uint8Array>), 'tar', dir, limits);
    } catch (error) {
      // The API is trusted to send what it accepted: a tar we refuse is a fault on our side.
      throw new InternalError('E_API_TAR', `GET ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
    }
  }
}
