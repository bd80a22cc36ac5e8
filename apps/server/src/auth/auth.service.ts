import { Injectable, UnauthorizedException } from '@nestjs/common';
import type { Me } from '@driftlock/protocol';
import argon2 from 'argon2';
import { DataSource, IsNull, LessThan } from 'typeorm';
import { ApiTokenEntity } from '../api-tokens/api-token.entity';
import { API_TOKEN_PREFIX } from '../api-tokens/api-tokens.service';
import { AuditService } from '../audit/audit.service';
import { hashSecret, newSecret } from '../common/tokens';
import { AppConfig } from '../config/app-config';
import { UserEntity } from '../users/user.entity';
import { hashPassword, toUser } from '../users/users.service';
import type { Actor } from './actor';
import { SessionEntity } from './session.entity';

export const SESSION_COOKIE = 'driftlock_session';
/** Writing last_used_at on every request would turn reads into writes; once a minute is enough. */
const LAST_USED_RESOLUTION_MS = 60_000;

@Injectable()
export class AuthService {
  /** Compared against when the email is unknown, so timing does not tell which emails exist. */
  private readonly decoyHash = hashPassword('driftlock-decoy-password');

  constructor(
    private readonly db: DataSource,
    private readonly config: AppConfig,
    private readonly audit: AuditService,
  ) {}

  async login(email: string, password: string): Promise<{ me: Me; sessionToken: string }> {
    const user = await this.db.getRepository(UserEntity).findOneBy({ email });
    const ok = await argon2.verify(user?.passwordHash ?? (await this.decoyHash), password);
    if (!user || !ok || user.disabled) {
      await this.audit.record({
        actor: { kind: 'system' },
        action: 'auth.login_failed',
        detail: {
          email,
          reason: !user ? 'unknown email' : user.disabled ? 'disabled' : 'password',
        },
      });
      throw new UnauthorizedException('wrong email or password');
    }
    const sessionToken = newSecret('dls');
    const expiresAt = new Date(Date.now() + this.config.sessionTtlHours * 3600_000);
    await this.db.transaction(async (m) => {
      await m.insert(SessionEntity, {
        tokenHash: hashSecret(sessionToken),
        userId: user.id,
        expiresAt,
      });
      await m.update(UserEntity, user.id, { lastLoginAt: new Date() });
      await m.delete(SessionEntity, { expiresAt: LessThan(new Date()) });
    });
    const fresh = await this.db.getRepository(UserEntity).findOneByOrFail({ id: user.id });
    return { me: { user: toUser(fresh), via: 'session' }, sessionToken };
  }

  async logout(sessionToken: string | undefined): Promise<void> {
    if (sessionToken) {
      await this.db.getRepository(SessionEntity).delete({ tokenHash: hashSecret(sessionToken) });
    }
  }

  async me(actor: Actor): Promise<Me> {
    if (actor.kind === 'api_token') {
      return {
        user: {
          id: actor.id,
          email: '',
          name: actor.name,
          role: actor.role,
          disabled: false,
          createdAt: new Date(0).toISOString(),
          lastLoginAt: null,
        },
        via: 'api_token',
      };
    }
    const user = await this.db.getRepository(UserEntity).findOneByOrFail({ id: actor.id });
    return { user: toUser(user), via: 'session' };
  }

  /** The actor behind a session cookie or an API bearer token, or null. */
  async authenticate(
    sessionToken: string | undefined,
    bearer: string | undefined,
  ): Promise<Actor | null> {
    if (bearer?.startsWith(`${API_TOKEN_PREFIX}_`)) return this.actorFromApiToken(bearer);
    if (sessionToken) return this.actorFromSession(sessionToken);
    return null;
  }

  async actorFromCookieHeader(cookieHeader: string | undefined): Promise<Actor | null> {
    return this.actorFromSession(readCookie(cookieHeader, SESSION_COOKIE));
  }

  private async actorFromSession(token: string | undefined): Promise<Actor | null> {
    if (!token) return null;
    const session = await this.db.getRepository(SessionEntity).findOne({
      where: { tokenHash: hashSecret(token) },
      relations: { user: true },
    });
    if (!session || session.expiresAt < new Date() || session.user.disabled) return null;
    return { kind: 'user', id: session.user.id, name: session.user.email, role: session.user.role };
  }

  private async actorFromApiToken(token: string): Promise<Actor | null> {
    const repo = this.db.getRepository(ApiTokenEntity);
    const row = await repo.findOneBy({ tokenHash: hashSecret(token), revokedAt: IsNull() });
    if (!row || (row.expiresAt && row.expiresAt < new Date())) return null;
    const now = Date.now();
    if (!row.lastUsedAt || now - row.lastUsedAt.getTime() > LAST_USED_RESOLUTION_MS) {
      await repo.update(row.id, { lastUsedAt: new Date(now) });
    }
    return { kind: 'api_token', id: row.id, name: `token:${row.name}`, role: row.role };
  }
}

export function readCookie(header: string | undefined, name: string): string | undefined {
  if (!header) return undefined;
  for (const part of header.split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      return decodeURIComponent(part.slice(eq + 1).trim());
    }
  }
  return undefined;
}
