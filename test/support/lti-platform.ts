// An LMS platform simulated for the LTI tests, on loopback: its own RS256 key pair and JWKS, id
// tokens signed with jose, an OAuth token endpoint that checks gradebox's client assertion against
// gradebox's published JWKS, line items (a container that lists and makes them), a scores endpoint
// under any line item that records every request and answers from a script, and a paged roster.
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

import { createRemoteJWKSet, exportJWK, generateKeyPair, jwtVerify, SignJWT, type JWK } from 'jose';

type Key = Awaited<ReturnType<typeof generateKeyPair>>['privateKey'];

export interface RecordedRequest {
  method: string;
  path: string;
  query: string;
  headers: IncomingMessage['headers'];
  body: string;
}

/** A scripted answer of the scores endpoint. */
export interface ScoreAnswer {
  status: number;
  headers?: Record<string, string>;
}

export interface PlatformKey {
  kid: string;
  privateKey: Key;
  publicJwk: JWK;
}

export async function platformKey(kid = `plat-${randomBytes(4).toString('hex')}`): Promise<PlatformKey> {
  const { privateKey, publicKey } = await generateKeyPair('RS256', { extractable: true });
  return { kid, privateKey, publicJwk: { ...(await exportJWK(publicKey)), kid, alg: 'RS256', use: 'sig' } };
}

const readBody = (req: IncomingMessage): Promise<string> => new Promise((resolve) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => resolve(Buffer.concat(chunks).toString()));
});

export class SimulatedPlatform {
  readonly clientId = 'gradebox-client-1';
  readonly deploymentId = 'deployment-1';
  url = '';
  keys: PlatformKey[] = [];
  /** Every request to the platform, in order. */
  readonly requests: RecordedRequest[] = [];
  /** Answers of the next score posts, in order; 200 when the script is empty. */
  readonly scoreAnswers: ScoreAnswer[] = [];
  /** Line items the container holds: { id, resourceId, resourceLinkId, ... }. */
  readonly lineItems: Array<Record<string, unknown>> = [];
  /** Roster pages, each a list of members. */
  rosterPages: Array<Array<Record<string, unknown>>> = [];
  /** Token requests to refuse (401 invalid_client) before answering again. */
  tokenRefusals = 0;
  /** What the token endpoint made of each client assertion. */
  readonly assertions: Array<Record<string, unknown>> = [];
  /** Where gradebox is (its published keys verify the client assertions); a function, as a test's API may restart on another port. */
  toolUrl: () => string = () => '';
  private server: Server | null = null;

  get issuer(): string {
    return this.url;
  }

  async start(): Promise<void> {
    this.keys = [await platformKey()];
    this.server = createServer((req, res) => { void this.handle(req, res); });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => this.server?.close(() => resolve()) ?? resolve());
  }

  /** A new signing key, published beside the old one. */
  async rotate(): Promise<PlatformKey> {
    const key = await platformKey();
    this.keys.unshift(key);
    return key;
  }

  requestsTo(pathPart: string): RecordedRequest[] {
    return this.requests.filter((r) => r.path.includes(pathPart));
  }

  /** The registration gradebox needs (as `gradebox lti platforms add` takes it). */
  registration() {
    return { issuer: this.issuer, clientId: this.clientId, deploymentId: this.deploymentId, authUrl: `${this.url}/auth`, tokenUrl: `${this.url}/token`, jwksUrl: `${this.url}/jwks` };
  }

  /** Signs an id token, by default with the current key and its kid. */
  async sign(claims: Record<string, unknown>, options: { key?: Key; kid?: string; expiresIn?: string | number; issuedAt?: number } = {}): Promise<string> {
    const key = this.keys[0]!;
    const jwt = new SignJWT(claims).setProtectedHeader({ alg: 'RS256', kid: options.kid ?? key.kid, typ: 'JWT' });
    if (!('iss' in claims)) jwt.setIssuer(this.issuer);
    if (!('aud' in claims)) jwt.setAudience(this.clientId);
    jwt.setIssuedAt(options.issuedAt).setExpirationTime(options.expiresIn ?? '5m');
    return jwt.sign(options.key ?? key.privateKey);
  }

  private async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const url = new URL(req.url!, this.url);
    const body = await readBody(req);
    this.requests.push({ method: req.method!, path: url.pathname, query: url.search, headers: req.headers, body });
    const send = (status: number, value?: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(value === undefined ? '' : JSON.stringify(value));
    };
    if (url.pathname === '/jwks') return send(200, { keys: this.keys.map((k) => k.publicJwk) });
    if (url.pathname === '/token') return this.token(body, send);
    if (url.pathname.endsWith('/scores')) {
      const answer = this.scoreAnswers.shift() ?? { status: 200 };
      return send(answer.status, answer.status >= 400 ? { error: `scripted ${answer.status}` } : {}, answer.headers);
    }
    if (url.pathname.endsWith('/line_items') || url.pathname.endsWith('/lineitems')) {
      if (req.method === 'GET') return send(200, this.lineItems);
      const item = { ...JSON.parse(body) as Record<string, unknown>, id: `${this.url}${url.pathname}/${this.lineItems.length + 1}${url.search}` };
      this.lineItems.push(item);
      return send(201, item);
    }
    if (url.pathname === '/memberships') {
      const page = Number(url.searchParams.get('page') ?? '0');
      const next: Record<string, string> = page + 1 < this.rosterPages.length ? { link: `<${this.url}/memberships?page=${page + 1}>; rel="next"` } : {};
      return send(200, { id: `${this.url}/memberships`, context: { id: 'ctx' }, members: this.rosterPages[page] ?? [] }, next);
    }
    send(404, { error: 'no such route' });
  }

  /** Client credentials: the assertion must verify with gradebox's published keys, its aud be this token URL, its jti new. */
  private async token(body: string, send: (status: number, value?: unknown) => void): Promise<void> {
    const form = new URLSearchParams(body);
    if (this.tokenRefusals > 0) {
      this.tokenRefusals -= 1;
      return send(401, { error: 'invalid_client', error_description: 'scripted refusal' });
    }
    try {
      const { payload, protectedHeader } = await jwtVerify(form.get('client_assertion') ?? '', createRemoteJWKSet(new URL(`${this.toolUrl()}/.well-known/jwks.json`)), {
        issuer: this.clientId, subject: this.clientId, audience: `${this.url}/token`, algorithms: ['RS256'],
      });
      if (this.assertions.some((a) => a.jti === payload.jti)) return send(400, { error: 'invalid_grant', error_description: 'jti reused' });
      this.assertions.push({ ...payload, kid: protectedHeader.kid, grant_type: form.get('grant_type'), assertion_type: form.get('client_assertion_type'), scope: form.get('scope') });
      send(200, { access_token: `at-${randomBytes(8).toString('hex')}`, token_type: 'Bearer', expires_in: 3600, scope: form.get('scope') });
    } catch (error) {
      send(401, { error: 'invalid_client', error_description: (error as Error).message });
    }
  }
}
