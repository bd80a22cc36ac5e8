import { BadRequestException } from '@nestjs/common';
import { decodeCursor, encodeCursor, likePattern } from './threat-query';

describe('threat list cursor', () => {
  it('round-trips the microsecond timestamp and id', () => {
    const cursor = {
      at: '2026-12-04T10:00:00.123456Z',
      id: '0b7f0f5e-8f43-4a1e-9c1a-2f0c8f7d9e10',
    };
    expect(decodeCursor(encodeCursor(cursor))).toEqual(cursor);
  });

  it.each(['', 'garbage', Buffer.from('2026-12-04|not-a-uuid').toString('base64url')])(
    'refuses the forged cursor %j with a 400',
    (bad) => {
      expect(() => decodeCursor(bad)).toThrow(BadRequestException);
    },
  );
});

describe('likePattern', () => {
  it('matches the text anywhere and takes % _ and \\ literally', () => {
    expect(likePattern('50%_off\\')).toBe('%50\\%\\_off\\\\%');
  });
});
