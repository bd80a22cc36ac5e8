import { AuthAndAudit1764900000000 } from './1764900000000-auth-and-audit';
import { Fleet1765000000000 } from './1765000000000-fleet';

/** Every schema change, in order. The server applies pending ones at start-up. */
export const migrations = [AuthAndAudit1764900000000, Fleet1765000000000];
