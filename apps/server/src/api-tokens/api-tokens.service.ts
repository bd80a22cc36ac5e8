import { Injectable, NotFoundException } from '@nestjs/common';
import type { ApiToken, CreateApiTokenRequest, CreatedApiToken } from '@driftlock/protocol';
import { DataSource } from 'typeorm';
import type { Actor } from '../auth/actor';
import { AuditService } from '../audit/audit.service';
import { hashSecret, newSecret, secretPrefix } from '../common/tokens';
import { ApiTokenEntity } from './api-token.entity';

export const API_TOKEN_PREFIX = 'dlk';

export function toApiToken(t: ApiTokenEntity): ApiToken {
  return {
    id: t.id,
    name: t.name,
    role: t.role,
    prefix: t.prefix,
    createdAt: t.createdAt.toISOString(),
    createdBy: t.createdBy,
    expiresAt: t.expiresAt?.toISOString() ?? null,
    lastUsedAt: t.lastUsedAt?.toISOString() ?? null,
    revokedAt: t.revokedAt?.toISOString() ?? null,
  };
}

@Injectable()
export class ApiTokensService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<ApiToken[]> {
    const rows = await this.db.getRepository(ApiTokenEntity).find({ order: { createdAt: 'DESC' } });
    return rows.map(toApiToken);
  }

  async create(req: CreateApiTokenRequest, actor: Actor): Promise<CreatedApiToken> {
    const token = newSecret(API_TOKEN_PREFIX);
    return this.db.transaction(async (m) => {
      const repo = m.getRepository(ApiTokenEntity);
      const saved = await repo.save({
        name: req.name,
        role: req.role,
        tokenHash: hashSecret(token),
        prefix: secretPrefix(token),
        createdBy: actor.name,
        expiresAt: req.expiresAt ? new Date(req.expiresAt) : null,
      });
      await this.audit.record(
        {
          actor,
          action: 'api_token.created',
          targetType: 'api_token',
          targetId: saved.id,
          detail: { name: req.name, role: req.role, expiresAt: req.expiresAt },
        },
        m,
      );
      return { token, apiToken: toApiToken(await repo.findOneByOrFail({ id: saved.id })) };
    });
  }

  async revoke(id: string, actor: Actor): Promise<ApiToken> {
    return this.db.transaction(async (m) => {
      const repo = m.getRepository(ApiTokenEntity);
      const token = await repo.findOneBy({ id });
      if (!token) throw new NotFoundException(`API token ${id} not found`);
      if (!token.revokedAt) {
        await repo.update(id, { revokedAt: new Date() });
        await this.audit.record(
          { actor, action: 'api_token.revoked', targetType: 'api_token', targetId: id },
          m,
        );
      }
      return toApiToken(await repo.findOneByOrFail({ id }));
    });
  }
}
