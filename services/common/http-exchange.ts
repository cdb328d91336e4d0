// One HTTP request and its whole answer, with node:http (kept-alive connections). Lighter than
// fetch, which matters for calls made once per submission on a machine that also grades.
import { request as httpRequest, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';

export interface HttpExchange {
  method: string;
  headers?: OutgoingHttpHeaders;
  body?: Buffer;
  /** The socket may stay idle this long before the request is given up, ms. @defaultValue none */
  timeoutMs?: number;
  signal?: AbortSignal;
}

export interface HttpAnswer {
  status: number;
  text: string;
}

/** Rejects only when no answer came (refused, reset, timed out, aborted); any status resolves. */
export function httpExchange(url: string, { method, headers, body, timeoutMs, signal }: HttpExchange): Promise<HttpAnswer> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, timeout: timeoutMs, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', reject);
    req.end(body);
  });
}
