import { BadRequestException } from '@nestjs/common';

/** Position after the last row of a page: the keyset (detected_at, id), descending. */
export interface ThreatCursor {
  /** detected_at to the microsecond, UTC, as Postgres wrote it (a JS Date keeps only ms). */
  at: string;
  id: string;
}

const CURSOR_AT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{6}Z$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function encodeCursor(cursor: ThreatCursor): string {
  return Buffer.from(`${cursor.at}|${cursor.id}`).toString('base64url');
}

export function decodeCursor(cursor: string): ThreatCursor {
  const [at, id, ...rest] = Buffer.from(cursor, 'base64url').toString().split('|');
  if (rest.length > 0 || !CURSOR_AT.test(at ?? '') || !UUID.test(id ?? '')) {
    throw new BadRequestException(`invalid cursor ${JSON.stringify(cursor)}: use a nextCursor`);
  }
  return { at, id };
}

/** A case-insensitive "contains" pattern with the user's % and _ taken literally. */
export function likePattern(text: string): string {
  return `%${text.replace(/[\\%_]/g, (c) => `\\${c}`)}%`;
}
