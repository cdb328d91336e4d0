// A stand-in for the API's internal routes (real HTTP, real tars), for the HttpBackend and worker-process tests.
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { join, relative } from 'node:path';

import tar from 'tar-stream';

import { checkResultMessage, type ResultMessage } from '../../services/protocol/result-message.js';

export interface FakeApiOptions {
  token: string;
  /** Holds `submissions/<id>/`. */
  root: string;
  /** digest → grader folder served for it. */
  graders: Record<string, string>;
  /** Submission ids whose tar also holds a symlink entry (the worker must refuse it). */
  hostileSubmissions?: string[];
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : entry.isFile() ? [path] : [];
  });
}

async function tarOf(dir: string, hostile: boolean): Promise<Buffer> {
  const pack = tar.pack();
  const chunks: Buffer[] = [];
  pack.on('data', (chunk) => { chunks.push(chunk as Buffer); });
  const ended = new Promise<void>((resolve) => pack.on('end', () => resolve()));
  for (const file of filesUnder(dir)) {
    pack.entry({ name: relative(dir, file), mode: statSync(file).mode & 0o777 }, readFileSync(file));
  }
  if (hostile) pack.entry({ name: 'link', type: 'symlink', linkname: '/etc/shadow' });
  pack.finalize();
  await ended;
  return Buffer.concat(chunks);
}

async function bodyOf(request: IncomingMessage): Promise<Buffer> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks);
}

export class FakeApi {
  readonly requests: string[] = [];
  readonly evidence = new Map<string, Buffer>();
  /** Takes each valid result message (answered 204; a throw is answered 500, so the worker sends it again). */
  onResult: (message: ResultMessage) => Promise<void> = async () => {};
  /** When set, result messages are answered with this status instead. */
  resultStatus: number | null = null;
  private readonly server: Server;

  private constructor(private readonly options: FakeApiOptions) {
    this.server = createServer((request, response) => {
      this.handle(request, response).catch((error: unknown) => {
        response.statusCode = 500;
        response.end(String(error));
      });
    });
  }

  static async start(options: FakeApiOptions): Promise<FakeApi> {
    const api = new FakeApi(options);
    await new Promise<void>((resolve) => api.server.listen(0, '127.0.0.1', resolve));
    return api;
  }

  get url(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    this.requests.push(`${request.method} ${request.url}`);
    if (request.headers.authorization !== `Bearer ${this.options.token}`) {
      response.statusCode = 401;
      response.end('bad token');
      return;
    }
    const submission = /^\/internal\/v1\/submissions\/([A-Za-z0-9_-]+)\/files$/.exec(request.url ?? '');
    const grader = /^\/internal\/v1\/graders\/([0-9a-f]{64})$/.exec(request.url ?? '');
    const evidence = /^\/internal\/v1\/evidence\/([0-9a-f]{64})$/.exec(request.url ?? '');
    if (request.method === 'GET' && submission) {
      const id = submission[1]!;
      response.end(await tarOf(join(this.options.root, 'submissions', id), this.options.hostileSubmissions?.includes(id) ?? false));
    } else if (request.method === 'GET' && grader && this.options.graders[grader[1]!]) {
      response.end(await tarOf(this.options.graders[grader[1]!]!, false));
    } else if (request.method === 'POST' && request.url === '/internal/v1/results') {
      const checked = checkResultMessage(JSON.parse((await bodyOf(request)).toString('utf8')));
      if (this.resultStatus !== null) response.statusCode = this.resultStatus;
      else if ('problem' in checked) response.statusCode = 400;
      else {
        await this.onResult(checked.message);
        response.statusCode = 204;
      }
      response.end();
    } else if (request.method === 'PUT' && evidence) {
      const body = await bodyOf(request);
      const sha = createHash('sha256').update(body).digest('hex');
      response.statusCode = sha === evidence[1] ? 201 : 422;
      if (sha === evidence[1]) this.evidence.set(sha, body);
      response.end();
    } else {
      response.statusCode = 404;
      response.end('not found');
    }
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }
}
