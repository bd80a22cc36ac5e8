import { createHmac } from 'node:crypto';

export const SIGNATURE_HEADER = 'X-Driftlock-Signature';

/** `sha256=<hex HMAC-SHA256 of the raw body>`, as GitHub signs its webhooks. */
export function signBody(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

const BASE_DELAY_MS = 2000;
const MAX_DELAY_MS = 60 * 60 * 1000;
export const MAX_ATTEMPTS = 12;

/** Delay before the next try after `attempts` failed ones: doubling from 2 s, at most an hour. */
export function retryDelayMs(attempts: number): number {
  return Math.min(BASE_DELAY_MS * 2 ** (attempts - 1), MAX_DELAY_MS);
}
