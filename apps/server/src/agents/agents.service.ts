import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type {
  Agent,
  AgentCapabilities,
  AgentIdentity,
  AgentStats,
  AgentStatus,
  EnrollRequest,
  EnrollResponse,
} from '@driftlock/protocol';
import { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor';
import { AuditService } from '../audit/audit.service';
import { hashSecret, newSecret, secretMatches } from '../common/tokens';
import { AppConfig } from '../config/app-config';
import { EventBus } from '../events/event-bus.service';
import { AgentEntity } from './agent.entity';
import { EnrollmentTokensService } from './enrollment-tokens.service';

export const AGENT_SECRET_PREFIX = 'dla';

export type AgentAuthResult =
  { ok: true; agent: AgentEntity } | { ok: false; status: 401 | 403; reason: string };

@Injectable()
export class AgentsService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly tokens: EnrollmentTokensService,
    private readonly events: EventBus,
    private readonly config: AppConfig,
  ) {}

  async enroll(req: EnrollRequest): Promise<EnrollResponse> {
    const secret = newSecret(AGENT_SECRET_PREFIX);
    return this.db.transaction(async (m) => {
      const token = await this.tokens.consume(req.token, m);
      const agent = await m.getRepository(AgentEntity).save({
        secretHash: hashSecret(secret),
        enrollmentTokenId: token.id,
        ...identityColumns(req.agent),
        enrolledAt: new Date(),
      });
      await this.audit.record(
        {
          actor: { kind: 'agent', id: agent.id, name: agent.hostname },
          action: 'agent.enrolled',
          targetType: 'agent',
          targetId: agent.id,
          detail: { enrollmentTokenId: token.id, enrollmentToken: token.name, ...req.agent },
        },
        m,
      );
      return { agentId: agent.id, secret };
    });
  }

  /** Checks `Authorization: Bearer <agentId>.<secret>` of a gateway connection. */
  async authenticate(authorization: string | undefined): Promise<AgentAuthResult> {
    const match = /^Bearer ([0-9a-f-]{36})\.(\S+)$/i.exec(authorization ?? '');
    if (!match) return { ok: false, status: 401, reason: 'missing or malformed agent credentials' };
    const [, agentId, secret] = match;
    const agent = await this.db.getRepository(AgentEntity).findOneBy({ id: agentId });
    if (!agent || !secretMatches(secret, agent.secretHash)) {
      return { ok: false, status: 401, reason: 'unknown agent or wrong secret' };
    }
    if (agent.decommissionedAt) {
      return { ok: false, status: 403, reason: `agent ${agent.id} was decommissioned` };
    }
    return { ok: true, agent };
  }

  async list(): Promise<Agent[]> {
    const rows = await this.db
      .getRepository(AgentEntity)
      .find({ order: { hostname: 'ASC', enrolledAt: 'ASC' } });
    return rows.map((a) => this.toAgent(a));
  }

  async get(id: string): Promise<Agent> {
    return this.toAgent(await this.findOrFail(id));
  }

  async decommission(id: string, actor: Actor): Promise<Agent> {
    const agent = await this.db.transaction(async (m) => {
      const repo = m.getRepository(AgentEntity);
      const found = await repo.findOneBy({ id });
      if (!found) throw new NotFoundException(`agent ${id} not found`);
      if (found.decommissionedAt) {
        throw new ConflictException(`agent ${id} was already decommissioned`);
      }
      await repo.update(id, { decommissionedAt: new Date() });
      await this.audit.record(
        {
          actor,
          action: 'agent.decommissioned',
          targetType: 'agent',
          targetId: id,
          detail: { hostname: found.hostname },
        },
        m,
      );
      await this.events.publish({ type: 'agent.decommissioned', agentId: id }, m);
      await this.events.publish({ type: 'agent.status', agentId: id }, m);
      return repo.findOneByOrFail({ id });
    });
    return this.toAgent(agent);
  }

  async recordHello(
    agentId: string,
    hello: { agent: AgentIdentity; capabilities: AgentCapabilities; policyVersion: number | null },
    m: EntityManager,
  ): Promise<void> {
    await m.getRepository(AgentEntity).update(agentId, {
      ...identityColumns(hello.agent),
      capabilities: hello.capabilities,
      policyVersion: hello.policyVersion,
      lastSeenAt: new Date(),
      disconnectedAt: null,
    });
    await this.events.publish({ type: 'agent.status', agentId }, m);
  }

  async recordHeartbeat(agentId: string, stats: AgentStats, m: EntityManager): Promise<void> {
    await m.getRepository(AgentEntity).update(agentId, {
      stats,
      policyVersion: stats.policyVersion,
      lastSeenAt: new Date(),
      disconnectedAt: null,
    });
  }

  async recordPolicyApplied(agentId: string, version: number, m: EntityManager): Promise<void> {
    await m
      .getRepository(AgentEntity)
      .update(agentId, { policyVersion: version, lastSeenAt: new Date() });
    await this.events.publish({ type: 'agent.status', agentId }, m);
  }

  /** Any frame proves the agent alive; cheap enough to run per frame. */
  async touch(agentId: string): Promise<void> {
    await this.db.query(
      `UPDATE agents SET last_seen_at = now(), disconnected_at = NULL WHERE id = $1`,
      [agentId],
    );
  }

  async recordDisconnected(agentId: string): Promise<void> {
    await this.db.transaction(async (m) => {
      await m.getRepository(AgentEntity).update(agentId, { disconnectedAt: new Date() });
      await this.events.publish({ type: 'agent.status', agentId }, m);
    });
  }

  async findOrFail(id: string): Promise<AgentEntity> {
    const agent = await this.db.getRepository(AgentEntity).findOneBy({ id });
    if (!agent) throw new NotFoundException(`agent ${id} not found`);
    return agent;
  }

  /** Agents that are online now: they count towards a policy's roll-out. */
  async onlinePolicyVersions(): Promise<(number | null)[]> {
    const rows: { policy_version: number | null }[] = await this.db.query(
      `SELECT policy_version FROM agents
        WHERE decommissioned_at IS NULL
          AND last_seen_at > now() - make_interval(secs => $1)
          AND (disconnected_at IS NULL OR disconnected_at < last_seen_at)`,
      [this.config.agentOfflineAfterSeconds],
    );
    return rows.map((r) => r.policy_version);
  }

  toAgent(a: AgentEntity): Agent {
    return {
      id: a.id,
      hostname: a.hostname,
      kind: a.kind,
      cluster: a.cluster,
      node: a.node,
      version: a.version,
      kernel: a.kernel,
      capabilities: a.capabilities,
      status: this.status(a),
      enrolledAt: a.enrolledAt.toISOString(),
      lastSeenAt: a.lastSeenAt?.toISOString() ?? null,
      policyVersion: a.policyVersion,
      stats: a.stats,
    };
  }

  private status(a: AgentEntity): AgentStatus {
    if (a.decommissionedAt) return 'decommissioned';
    if (!a.lastSeenAt) return 'offline';
    if (a.disconnectedAt && a.disconnectedAt >= a.lastSeenAt) return 'offline';
    const silentMs = Date.now() - a.lastSeenAt.getTime();
    return silentMs <= this.config.agentOfflineAfterSeconds * 1000 ? 'online' : 'offline';
  }
}

function identityColumns(
  identity: AgentIdentity,
): Pick<AgentEntity, 'hostname' | 'kind' | 'cluster' | 'node' | 'version' | 'kernel'> {
  return {
    hostname: identity.hostname,
    kind: identity.kind,
    cluster: identity.cluster,
    node: identity.node,
    version: identity.version,
    kernel: identity.kernel,
  };
}
