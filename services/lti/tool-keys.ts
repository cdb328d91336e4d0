// gradebox's own RS256 key pairs (the tool's): made on first use, rotated on request, the newest
// signs (client assertions, deep-linking responses) and every kept one is published at
// /.well-known/jwks.json, so a platform that cached the previous key still verifies until it refetches.
import { randomBytes } from 'node:crypto';

import { exportJWK, generateKeyPair, importJWK, type JWK } from 'jose';

import type { LtiKey, LtiStore } from '../store/lti-store.js';

export const ALGORITHM = 'RS256';

/** A key as jose imports it. */
export type ImportedKey = Awaited<ReturnType<typeof importJWK>>;

/** The key to sign with and its kid. */
export interface SigningKey {
  kid: string;
  key: ImportedKey;
}

async function newKeyPair(): Promise<Omit<LtiKey, 'createdAt'>> {
  const { publicKey, privateKey } = await generateKeyPair(ALGORITHM, { extractable: true, modulusLength: 2048 });
  const kid = `gbx-${randomBytes(9).toString('base64url')}`;
  const publicJwk = { ...(await exportJWK(publicKey)), kid, alg: ALGORITHM, use: 'sig' };
  const privateJwk = { ...(await exportJWK(privateKey)), kid, alg: ALGORITHM };
  return { kid, publicJwk: JSON.stringify(publicJwk), privateJwk: JSON.stringify(privateJwk) };
}

export class ToolKeys {
  private signing: SigningKey | null = null;

  constructor(private readonly store: Pick<LtiStore, 'addLtiKey' | 'listLtiKeys'>, private readonly keysKept: number) {}

  /** Makes a new signing key; the one before stays published (up to `keysKept` in all). */
  async rotate(): Promise<string> {
    const key = await this.store.addLtiKey(await newKeyPair(), this.keysKept);
    this.signing = null;
    return key.kid;
  }

  /** The public keys, newest first (one is made when there is none yet). */
  async jwks(): Promise<{ keys: JWK[] }> {
    return { keys: (await this.keys()).map((k) => JSON.parse(k.publicJwk) as JWK) };
  }

  async signingKey(): Promise<SigningKey> {
    const [newest] = await this.keys();
    if (this.signing?.kid !== newest!.kid) {
      this.signing = { kid: newest!.kid, key: await importJWK(JSON.parse(newest!.privateJwk) as JWK, ALGORITHM) };
    }
    return this.signing;
  }

  private async keys(): Promise<LtiKey[]> {
    const keys = await this.store.listLtiKeys();
    if (keys.length > 0) return keys;
    await this.rotate();
    return this.store.listLtiKeys();
  }
}
