import { Injectable, NotFoundException, UnauthorizedException } from '@nestjs/common';
import type {
  CreatedEnrollmentToken,
  CreateEnrollmentTokenRequest,
  EnrollmentToken,
} from '@driftlock/protocol';
import { DataSource, EntityManager } from 'typeorm';
import type { Actor, SystemActor } from '../auth/actor';
import { AuditService } from '../audit/audit.service';
import { hashSecret, newSecret, secretPrefix } from '../common/tokens';
import { EnrollmentTokenEntity } from './enrollment-token.entity';

export const ENROLLMENT_TOKEN_PREFIX = 'dle';

export function toEnrollmentToken(t: EnrollmentTokenEntity): EnrollmentToken {
  return {
    id: t.id,
    name: t.name,
    prefix: t.prefix,
    createdAt: t.createdAt.toISOString(),
    createdBy: t.createdBy,
    expiresAt: t.expiresAt?.toISOString() ?? null,
    maxUses: t.maxUses,
    uses: t.uses,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}

@Injectable()
export class EnrollmentTokensService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<EnrollmentToken[]> {
    const rows = await this.db
      .getRepository(EnrollmentTokenEntity)
      .find({ order: { createdAt: 'DESC' } });
    return rows.map(toEnrollmentToken);
  }

  async create(
    req: CreateEnrollmentTokenRequest,
    actor: Actor | SystemActor,
  ): Promise<CreatedEnrollmentToken> {
    const token = newSecret(ENROLLMENT_TOKEN_PREFIX);
    return this.db.transaction(async (m) => {
      const repo = m.getRepository(EnrollmentTokenEntity);
      const saved = await repo.save({
        name: req.name,
        prefix: secretPrefix(token),
        tokenHash: hashSecret(token),
        createdBy: actor.kind === 'system' ? 'system' : actor.name,
        expiresAt: req.expiresAt ? new Date(req.expiresAt) : null,
        maxUses: req.maxUses,
      });
      await this.audit.record(
        {
          actor,
          action: 'enrollment_token.created',
          targetType: 'enrollment_token',
          targetId: saved.id,
          detail: { name: req.name, expiresAt: req.expiresAt, maxUses: req.maxUses },
        },
        m,
      );
      const created = await repo.findOneByOrFail({ id: saved.id });
      return { token, enrollmentToken: toEnrollmentToken(created) };
    });
  }

  /** Stops new enrollments with this token; agents already enrolled with it keep working. */
  async revoke(id: string, actor: Actor): Promise<EnrollmentToken> {
    return this.db.transaction(async (m) => {
      const repo = m.getRepository(EnrollmentTokenEntity);
      const token = await repo.findOneBy({ id });
      if (!token) throw new NotFoundException(`enrollment token ${id} not found`);
      if (!token.revokedAt) {
        await repo.update(id, { revokedAt: new Date() });
        await this.audit.record(
          {
            actor,
            action: 'enrollment_token.revoked',
            targetType: 'enrollment_token',
            targetId: id,
            detail: { name: token.name },
          },
          m,
        );
      }
      return toEnrollmentToken(await repo.findOneByOrFail({ id }));
    });
  }

  /**
   * Counts one use of the token, atomically with its checks so concurrent enrollments cannot
   * exceed `maxUses`. Throws 401 saying why the token is refused.
   */
  async consume(token: string, m: EntityManager): Promise<EnrollmentTokenEntity> {
    const tokenHash = hashSecret(token);
    // TypeORM answers an UPDATE with [rows, affected count].
    const [rows]: [{ id: string }[], number] = await m.query(
      `UPDATE enrollment_tokens SET uses = uses + 1
        WHERE token_hash = $1 AND revoked_at IS NULL
          AND (expires_at IS NULL OR expires_at > now())
          AND (max_uses IS NULL OR uses < max_uses)
        RETURNING id`,
      [tokenHash],
    );
    const repo = m.getRepository(EnrollmentTokenEntity);
    if (rows.length === 1) return repo.findOneByOrFail({ id: rows[0].id });
    const refused = await repo.findOneBy({ tokenHash });
    throw new UnauthorizedException(`enrollment refused: ${refusalReason(refused)}`);
  }
}

function refusalReason(token: EnrollmentTokenEntity | null): string {
  if (!token) return 'unknown enrollment token';
  if (token.revokedAt) return `enrollment token ${token.prefix}… was revoked`;
  if (token.expiresAt && token.expiresAt.getTime() <= Date.now()) {
    return `enrollment token ${token.prefix}… expired at ${token.expiresAt.toISOString()}`;
  }
  return `enrollment token ${token.prefix}… has been used ${token.uses} of ${token.maxUses} times`;
}
