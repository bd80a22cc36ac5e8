import { Injectable, NotFoundException } from '@nestjs/common';
import type {
  CreatePolicyExceptionRequest,
  DeletePolicyOverrideQuery,
  PolicyChange,
  PolicyDocument,
  PolicyOverride,
  PolicySettings,
  PolicyView,
} from '@driftlock/protocol';
import { randomUUID } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import { AgentsService } from '../agents/agents.service';
import type { Actor } from '../auth/actor';
import { AuditService } from '../audit/audit.service';
import { EventBus } from '../events/event-bus.service';
import * as edits from './policy-edits';
import { PolicyEditError, type PolicyEdit } from './policy-edits';
import { PolicyVersionEntity } from './policy-version.entity';

/** Serialises policy changes across replicas: each one reads the newest version and adds one. */
const POLICY_LOCK_KEY = 0x64726c6b;

@Injectable()
export class PoliciesService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly events: EventBus,
    private readonly agents: AgentsService,
  ) {}

  async current(m: EntityManager = this.db.manager): Promise<PolicyDocument> {
    return (await this.latest(m)).document;
  }

  async view(): Promise<PolicyView> {
    const latest = await this.latest(this.db.manager);
    const online = await this.agents.onlinePolicyVersions();
    return {
      ...latest.document,
      updatedAt: latest.createdAt.toISOString(),
      updatedBy: latest.createdBy,
      agentsConnected: online.length,
      agentsApplied: online.filter((v) => v === latest.version).length,
    };
  }

  async history(): Promise<PolicyChange[]> {
    const rows = await this.db.getRepository(PolicyVersionEntity).find({
      select: ['version', 'createdAt', 'createdBy', 'summary'],
      order: { version: 'DESC' },
    });
    return rows.map((r) => ({
      version: r.version,
      at: r.createdAt.toISOString(),
      by: r.createdBy,
      summary: r.summary,
    }));
  }

  setDefault(settings: PolicySettings, actor: Actor): Promise<PolicyView> {
    return this.change(edits.setDefault(settings), actor, {});
  }

  putOverride(override: PolicyOverride, actor: Actor): Promise<PolicyView> {
    return this.change(edits.putOverride(override), actor, { override });
  }

  deleteOverride(query: DeletePolicyOverrideQuery, actor: Actor): Promise<PolicyView> {
    return this.change(edits.deleteOverride(query), actor, { ...query });
  }

  addException(req: CreatePolicyExceptionRequest, actor: Actor): Promise<PolicyView> {
    const exception = {
      id: randomUUID(),
      sha256: req.sha256,
      path: req.path,
      comment: req.comment,
      createdAt: new Date().toISOString(),
    };
    return this.change(edits.addException(req, exception), actor, {
      exception,
      threatId: req.threatId,
    });
  }

  deleteException(id: string, actor: Actor): Promise<PolicyView> {
    return this.change(edits.deleteException(id), actor, { exceptionId: id });
  }

  /** Writes the edited policy as a new version, audits it and pushes it to every replica. */
  private async change(
    edit: PolicyEdit,
    actor: Actor,
    detail: Record<string, unknown>,
  ): Promise<PolicyView> {
    await this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [POLICY_LOCK_KEY]);
      const latest = await this.latest(m);
      let content: Omit<PolicyDocument, 'version'>;
      try {
        content = edit.apply(latest.document);
      } catch (err) {
        if (err instanceof PolicyEditError) throw new NotFoundException(err.message);
        throw err;
      }
      const version = latest.version + 1;
      await m.getRepository(PolicyVersionEntity).insert({
        version,
        document: { ...content, version },
        summary: edit.summary,
        createdBy: actor.name,
      });
      await this.audit.record(
        {
          actor,
          action: 'policy.changed',
          targetType: 'policy',
          targetId: String(version),
          detail: { summary: edit.summary, ...detail },
        },
        m,
      );
      await this.events.publish({ type: 'policy.changed', version }, m);
    });
    return this.view();
  }

  private async latest(m: EntityManager): Promise<PolicyVersionEntity> {
    const [row] = await m
      .getRepository(PolicyVersionEntity)
      .find({ order: { version: 'DESC' }, take: 1 });
    if (!row) throw new Error('policy: no policy version stored (migrations not applied?)');
    return row;
  }
}
