import { createPublicKey, generateKeyPairSync, randomUUID, sign, verify } from 'node:crypto';
import type { KeyObject } from 'node:crypto';

/** An RS256 key pair standing in for Google's token signing keys. */
export interface SigningKey {
  readonly kid: string;
  readonly privateKey: KeyObject;
  readonly publicKey: KeyObject;
}

export function newSigningKey(): SigningKey {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  return { kid: randomUUID(), privateKey, publicKey: createPublicKey(privateKey) };
}

const b64url = (value: object): string => Buffer.from(JSON.stringify(value)).toString('base64url');

export function signJwt(key: SigningKey, claims: Record<string, unknown>): string {
  const head = `${b64url({ alg: 'RS256', typ: 'JWT', kid: key.kid })}.${b64url(claims)}`;
  const signature = sign('sha256', Buffer.from(head), key.privateKey).toString('base64url');
  return `${head}.${signature}`;
}

export type Verified =
  | { readonly ok: true; readonly claims: Record<string, unknown> }
  | { readonly ok: false; readonly reason: string };

/** Checks what a real verifier (IAP, Composer's web server) checks: signature, expiry, audience. */
export function verifyJwt(
  token: string,
  publicKey: KeyObject,
  expected: { audience?: string; scope?: string; nowMs?: number },
): Verified {
  const parts = token.split('.');
  const [head, body, signature] = parts;
  if (parts.length !== 3 || head === undefined || body === undefined || signature === undefined) {
    return { ok: false, reason: 'not a JWT' };
  }
  const header = JSON.parse(Buffer.from(head, 'base64url').toString()) as Record<string, unknown>;
  if (header['alg'] !== 'RS256') return { ok: false, reason: `alg ${String(header['alg'])}` };
  const valid = verify(
    'sha256',
    Buffer.from(`${head}.${body}`),
    publicKey,
    Buffer.from(signature, 'base64url'),
  );
  if (!valid) return { ok: false, reason: 'bad signature' };
  const claims = JSON.parse(Buffer.from(body, 'base64url').toString()) as Record<string, unknown>;
  const now = (expected.nowMs ?? Date.now()) / 1000;
  if (typeof claims['exp'] !== 'number' || claims['exp'] <= now)
    return { ok: false, reason: 'expired' };
  if (expected.audience !== undefined && claims['aud'] !== expected.audience) {
    return { ok: false, reason: `audience ${String(claims['aud'])} is not ${expected.audience}` };
  }
  if (
    expected.scope !== undefined &&
    !(typeof claims['scope'] === 'string' ? claims['scope'] : '')
      .split(' ')
      .includes(expected.scope)
  ) {
    return { ok: false, reason: `scope ${String(claims['scope'])} lacks ${expected.scope}` };
  }
  return { ok: true, claims };
}
