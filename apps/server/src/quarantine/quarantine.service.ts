import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import {
  PROTOCOL_VERSION,
  type CommandFrame,
  type FileInfo,
  type Mitigation,
  type QuarantineCommand,
  type QuarantineItem,
  type QuarantineStatus,
} from '@driftlock/protocol';
import { DataSource, EntityManager } from 'typeorm';
import type { Actor, AgentActor } from '../auth/actor';
import { AuditService } from '../audit/audit.service';
import { EventBus } from '../events/event-bus.service';
import { AgentCommandEntity, QuarantineItemEntity } from './quarantine-item.entity';

/** A restore or delete may be asked for while the file sits in quarantine (or the last try failed). */
const ACTIONABLE: ReadonlySet<QuarantineStatus> = new Set(['quarantined', 'command_failed']);

const PENDING_STATUS: Record<QuarantineCommand, QuarantineStatus> = {
  quarantine_restore: 'restore_pending',
  quarantine_delete: 'delete_pending',
};
const DONE_STATUS: Record<QuarantineCommand, QuarantineStatus> = {
  quarantine_restore: 'restored',
  quarantine_delete: 'deleted',
};

interface ItemRow {
  id: string;
  agent_id: string;
  hostname: string;
  threat_id: string | null;
  quarantine_id: string;
  path: string;
  sha256: string | null;
  size: string | null;
  status: QuarantineStatus;
  last_detail: string | null;
  created_at: Date;
  updated_at: Date;
}

const ITEM_SELECT = `
  SELECT q.id, q.agent_id, a.hostname, q.threat_id, q.quarantine_id, q.path, q.sha256, q.size,
         q.status, q.last_detail, q.created_at, q.updated_at
    FROM quarantine_items q JOIN agents a ON a.id = q.agent_id`;
const MAX_LISTED = 1000;

export type CommandResultOutcome = 'recorded' | 'unknown_command';

@Injectable()
export class QuarantineService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly events: EventBus,
  ) {}

  /** Records the files that the reported mitigations put in quarantine (once per agent id). */
  async recordFromMitigations(
    agentId: string,
    threatId: string | null,
    file: FileInfo,
    mitigations: Mitigation[],
    m: EntityManager,
  ): Promise<void> {
    for (const mit of mitigations) {
      if (mit.action !== 'quarantine' || mit.outcome !== 'succeeded' || !mit.quarantineId) continue;
      await m.query(
        `INSERT INTO quarantine_items (agent_id, threat_id, quarantine_id, path, sha256, size,
           last_detail)
         VALUES ($1, $2, $3, $4, $5, $6, $7)
         ON CONFLICT (agent_id, quarantine_id) DO NOTHING`,
        [
          agentId,
          threatId,
          mit.quarantineId,
          file.path,
          mit.sha256 ?? file.sha256,
          mit.size ?? file.size,
          mit.detail,
        ],
      );
    }
  }

  async list(): Promise<QuarantineItem[]> {
    const rows: ItemRow[] = await this.db.query(
      `${ITEM_SELECT} ORDER BY q.created_at DESC, q.id DESC LIMIT $1`,
      [MAX_LISTED],
    );
    return rows.map(toItem);
  }

  /** Asks the owning agent to restore or delete the file; the item waits for its result. */
  async request(id: string, command: QuarantineCommand, actor: Actor): Promise<QuarantineItem> {
    await this.db.transaction(async (m) => {
      const repo = m.getRepository(QuarantineItemEntity);
      const item = await repo.findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!item) throw new NotFoundException(`quarantine item ${id} not found`);
      if (!ACTIONABLE.has(item.status)) {
        throw new ConflictException(
          `quarantine item ${id} is ${item.status}: ${command} needs it quarantined`,
        );
      }
      const saved = await m.getRepository(AgentCommandEntity).save({
        agentId: item.agentId,
        command,
        quarantineItemId: id,
        status: 'pending',
        createdAt: new Date(),
        createdBy: actor.name,
      });
      await repo.update(id, { status: PENDING_STATUS[command], updatedAt: new Date() });
      await this.audit.record(
        {
          actor,
          action: `quarantine.${command === 'quarantine_restore' ? 'restore' : 'delete'}_requested`,
          targetType: 'quarantine_item',
          targetId: id,
          detail: { commandId: saved.id, agentId: item.agentId, path: item.path },
        },
        m,
      );
      await this.events.publish(
        { type: 'agent.command', agentId: item.agentId, commandId: saved.id },
        m,
      );
    });
    return this.get(id);
  }

  async get(id: string): Promise<QuarantineItem> {
    const [row]: ItemRow[] = await this.db.query(`${ITEM_SELECT} WHERE q.id = $1`, [id]);
    if (!row) throw new NotFoundException(`quarantine item ${id} not found`);
    return toItem(row);
  }

  /** Commands the agent has not answered yet, oldest first: sent again on every (re)connect. */
  async pendingCommands(agentId: string): Promise<CommandFrame[]> {
    const rows: { id: string; command: QuarantineCommand; quarantine_id: string }[] =
      await this.db.query(
        `SELECT c.id, c.command, q.quarantine_id FROM agent_commands c
           JOIN quarantine_items q ON q.id = c.quarantine_item_id
          WHERE c.agent_id = $1 AND c.status = 'pending' ORDER BY c.created_at`,
        [agentId],
      );
    return rows.map((r) => commandFrame(r.id, r.command, r.quarantine_id));
  }

  async pendingCommand(agentId: string, commandId: string): Promise<CommandFrame | null> {
    const pending = await this.pendingCommands(agentId);
    return pending.find((c) => c.commandId === commandId) ?? null;
  }

  /** Records an agent's answer to one of its own commands. */
  async recordCommandResult(
    agent: AgentActor,
    result: { commandId: string; outcome: 'succeeded' | 'failed'; detail: string },
    m: EntityManager,
  ): Promise<CommandResultOutcome> {
    const command = await m.getRepository(AgentCommandEntity).findOne({
      where: { id: result.commandId, agentId: agent.id },
      lock: { mode: 'pessimistic_write' },
    });
    if (!command) return 'unknown_command';
    const now = new Date();
    await m.getRepository(AgentCommandEntity).update(command.id, {
      status: result.outcome,
      detail: result.detail,
      completedAt: now,
    });
    await m.getRepository(QuarantineItemEntity).update(command.quarantineItemId, {
      status: result.outcome === 'succeeded' ? DONE_STATUS[command.command] : 'command_failed',
      lastDetail: result.detail,
      updatedAt: now,
    });
    await this.audit.record(
      {
        actor: agent,
        action: `quarantine.${command.command}_${result.outcome}`,
        targetType: 'quarantine_item',
        targetId: command.quarantineItemId,
        detail: { commandId: command.id, detail: result.detail },
      },
      m,
    );
    return 'recorded';
  }
}

function commandFrame(
  commandId: string,
  command: QuarantineCommand,
  quarantineId: string,
): CommandFrame {
  return { v: PROTOCOL_VERSION, type: 'command', commandId, command, quarantineId };
}

function toItem(r: ItemRow): QuarantineItem {
  return {
    id: r.id,
    agentId: r.agent_id,
    hostname: r.hostname,
    threatId: r.threat_id,
    quarantineId: r.quarantine_id,
    path: r.path,
    sha256: r.sha256,
    size: r.size === null ? null : Number(r.size),
    status: r.status,
    lastDetail: r.last_detail,
    createdAt: r.created_at.toISOString(),
    updatedAt: r.updated_at.toISOString(),
  };
}
