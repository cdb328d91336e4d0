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

/**
 * Rejects only when no answer came (refused, reset, timed out, aborted); any status resolves. A
 * request sent on a kept-alive connection the server had just closed (its idle timeout, seen late
 * when the caller's event loop was busy) is sent once more on a new one, as the Node.js docs advise
 * (http, `request.reusedSocket`): the server never read it.
 */
export async function httpExchange(url: string, exchange: HttpExchange): Promise<HttpAnswer> {
  try {
    return await exchangeOnce(url, exchange);
  } catch (error) {
    if (!(error as { reusedSocket?: boolean }).reusedSocket) throw error;
    return exchangeOnce(url, exchange);
  }
}

function exchangeOnce(url: string, { method, headers, body, timeoutMs, signal }: HttpExchange): Promise<HttpAnswer> {
  const send = url.startsWith('https:') ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method, headers, timeout: timeoutMs, signal }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (chunk: Buffer) => chunks.push(chunk));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (error: NodeJS.ErrnoException) => {
      // Marked for httpExchange's one retry: a reset before any answer, on a reused connection.
      if (req.reusedSocket && error.code === 'ECONNRESET') Object.assign(error, { reusedSocket: true });
      reject(error);
    });
    req.end(body);
  });
}
