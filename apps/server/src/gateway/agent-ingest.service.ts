import { Injectable } from '@nestjs/common';
import type { AgentMessage, ErrorFrame } from '@driftlock/protocol';
import { DataSource, EntityManager } from 'typeorm';
import { AgentsService } from '../agents/agents.service';
import type { AgentActor } from '../auth/actor';
import { ProcessEventsService } from '../process-events/process-events.service';
import { QuarantineService } from '../quarantine/quarantine.service';
import { ThreatsService } from '../threats/threats.service';
import { WebhooksService } from '../webhooks/webhooks.service';
import { processEventsStored } from './gateway.metrics';

export type IngestOutcome =
  | { kind: 'stored'; duplicate: boolean }
  | { kind: 'rejected'; code: ErrorFrame['code']; message: string };

/** A message that passed its schema but names something this agent does not own. */
class RejectedMessage extends Error {
  constructor(
    readonly code: ErrorFrame['code'],
    message: string,
  ) {
    super(message);
  }
}

/**
 * Hello, heartbeat and policy_applied set the agent's state (a resend writes the same state);
 * the others add records, so their ids are kept to store each exactly once.
 */
const RECORDED_TYPES: ReadonlySet<AgentMessage['type']> = new Set([
  'process_events',
  'threat',
  'mitigation_result',
  'command_result',
]);

/** Stores what agents send: each message and its message id commit together or not at all. */
@Injectable()
export class AgentIngestService {
  constructor(
    private readonly db: DataSource,
    private readonly agents: AgentsService,
    private readonly threats: ThreatsService,
    private readonly processEvents: ProcessEventsService,
    private readonly quarantine: QuarantineService,
    private readonly webhooks: WebhooksService,
  ) {}

  async store(agent: AgentActor, msg: AgentMessage): Promise<IngestOutcome> {
    try {
      return await this.db.transaction(async (m) => {
        if (RECORDED_TYPES.has(msg.type) && !(await this.firstTime(agent.id, msg, m))) {
          return { kind: 'stored', duplicate: true } as const;
        }
        await this.apply(agent, msg, m);
        return { kind: 'stored', duplicate: false } as const;
      });
    } catch (err) {
      if (err instanceof RejectedMessage) {
        return { kind: 'rejected', code: err.code, message: err.message };
      }
      throw err;
    }
  }

  private async firstTime(agentId: string, msg: AgentMessage, m: EntityManager): Promise<boolean> {
    const rows: unknown[] = await m.query(
      `INSERT INTO agent_messages (agent_id, message_id, type) VALUES ($1, $2, $3)
       ON CONFLICT DO NOTHING RETURNING 1`,
      [agentId, msg.id, msg.type],
    );
    return rows.length === 1;
  }

  private async apply(agent: AgentActor, msg: AgentMessage, m: EntityManager): Promise<void> {
    switch (msg.type) {
      case 'hello':
        return this.agents.recordHello(agent.id, msg, m);
      case 'heartbeat':
        return this.agents.recordHeartbeat(agent.id, msg.stats, m);
      case 'policy_applied':
        return this.agents.recordPolicyApplied(agent.id, msg.version, m);
      case 'process_events':
        await this.processEvents.insertBatch(agent.id, msg.events, m);
        processEventsStored.inc(msg.events.length);
        return;
      case 'threat': {
        const { id, created } = await this.threats.ingest(agent.id, msg.threat, m);
        if (!created) return;
        const t = msg.threat;
        await this.quarantine.recordFromMitigations(agent.id, id, t.file, t.mitigations, m);
        const [summary] = await this.threats.summaries([id], m);
        await this.webhooks.enqueueThreatCreated(summary, m);
        return;
      }
      case 'mitigation_result': {
        const threat = await this.threats.addMitigation(agent.id, msg.threatId, msg.mitigation, m);
        if (!threat) {
          throw new RejectedMessage(
            'invalid_frame',
            `mitigation_result ${msg.id}: this agent reported no threat ${msg.threatId}`,
          );
        }
        await this.quarantine.recordFromMitigations(
          agent.id,
          threat.id,
          threat.file,
          [msg.mitigation],
          m,
        );
        return;
      }
      case 'command_result': {
        const outcome = await this.quarantine.recordCommandResult(agent, msg, m);
        if (outcome === 'unknown_command') {
          // invalid_frame rather than forbidden: agents drop what the server calls invalid, so
          // a result nobody can accept does not block the agent's outbox forever.
          throw new RejectedMessage(
            'invalid_frame',
            `command_result ${msg.id}: command ${msg.commandId} was not sent to this agent`,
          );
        }
        return;
      }
    }
  }
}
