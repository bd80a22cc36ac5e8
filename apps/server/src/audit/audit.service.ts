import { Injectable } from '@nestjs/common';
import type { AuditEntry, AuditQuery } from '@driftlock/protocol';
import { DataSource, EntityManager } from 'typeorm';
import type { QueryDeepPartialEntity } from 'typeorm/query-builder/QueryPartialEntity';
import type { AuditActor } from '../auth/actor';
import { AuditEntity } from './audit.entity';

export interface AuditRecord {
  actor: AuditActor;
  action: string;
  targetType?: string;
  targetId?: string;
  detail?: Record<string, unknown>;
}

@Injectable()
export class AuditService {
  constructor(private readonly db: DataSource) {}

  /** Pass the transaction's manager so the entry commits (or not) with the change it records. */
  async record(entry: AuditRecord, manager: EntityManager = this.db.manager): Promise<void> {
    const actor = entry.actor;
    const row: Omit<AuditEntity, 'id' | 'at'> = {
      actorType: actor.kind,
      actorId: actor.kind === 'system' ? null : actor.id,
      actorName: actor.kind === 'system' ? 'system' : actor.name,
      action: entry.action,
      targetType: entry.targetType ?? null,
      targetId: entry.targetId ?? null,
      detail: entry.detail ?? {},
    };
    // TypeORM's deep-partial type cannot express a free-form jsonb record; the row is complete.
    await manager.insert(AuditEntity, row as QueryDeepPartialEntity<AuditEntity>);
  }

  async list(query: AuditQuery): Promise<AuditEntry[]> {
    const qb = this.db
      .getRepository(AuditEntity)
      .createQueryBuilder('a')
      .orderBy('a.at', 'DESC')
      .addOrderBy('a.id', 'DESC')
      .limit(query.limit);
    if (query.before) qb.andWhere('a.at < :before', { before: query.before });
    if (query.action) qb.andWhere('a.action = :action', { action: query.action });
    const rows = await qb.getMany();
    return rows.map((r) => ({
      id: r.id,
      at: r.at.toISOString(),
      actorType: r.actorType,
      actorId: r.actorId,
      actorName: r.actorName,
      action: r.action,
      targetType: r.targetType,
      targetId: r.targetId,
      detail: r.detail,
    }));
  }
}
