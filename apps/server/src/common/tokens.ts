import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';

/**
 * Random secrets shown once (API tokens, enrollment tokens, agent secrets, sessions). They carry
 * 256 bits of entropy, so a plain sha256 is a safe and fast stored form (no brute force to slow).
 */
export function newSecret(prefix: string): string {
  return `${prefix}_${randomBytes(32).toString('base64url')}`;
}

export function hashSecret(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

export function secretMatches(secret: string, storedHash: string): boolean {
  const a = Buffer.from(hashSecret(secret), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

/** What lists show so a person can recognise a token without it being usable. */
export function secretPrefix(secret: string): string {
  return secret.slice(0, secret.indexOf('_') + 7);
}
