import { createHmac } from 'node:crypto';
import { retryDelayMs, signBody } from './webhook-signature';

describe('webhook signature', () => {
  it('is the hex HMAC-SHA256 of the exact body with the shared secret', () => {
    const body = '{"event":"threat.created"}';
    const expected = createHmac('sha256', 'k3y').update(body).digest('hex');
    expect(signBody('k3y', body)).toBe(`sha256=${expected}`);
  });
});

describe('webhook retry backoff', () => {
  it('doubles from two seconds and stops growing at one hour', () => {
    expect([1, 2, 3, 4].map(retryDelayMs)).toEqual([2000, 4000, 8000, 16000]);
    expect(retryDelayMs(30)).toBe(3_600_000);
  });
});
