import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import type { ProcessEvent, ProcessNode, StorylineOrigin } from '@driftlock/protocol';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { errorText } from '../events/errors';

const DAY_MS = 24 * 60 * 60 * 1000;
/** Partitions made ahead of time, so inserts never land in the default partition. */
const DAYS_AHEAD = 3;
const MAINTENANCE_INTERVAL_MS = 60 * 60 * 1000;
/** Serialises partition DDL across replicas (two CREATE ... IF NOT EXISTS can still collide). */
const PARTITION_LOCK_KEY = 0x70657674;
const PARTITION_NAME = /^process_events_(\d{4})(\d{2})(\d{2})$/;
/** A storyline view is for people: bounded so one runaway storyline cannot load a million rows. */
const MAX_STORYLINE_ROWS = 10_000;

/** The columns of one stored process event, as the storyline needs them. */
interface EventRow {
  kind: 'exec' | 'exit';
  process_id: string;
  parent_process_id: string | null;
  storyline_id: string;
  pid: number | null;
  ppid: number | null;
  exe: string | null;
  args: string[] | null;
  args_truncated: boolean | null;
  cwd: string | null;
  uid: string | null;
  username: string | null;
  started_at: Date | null;
  exited_at: Date | null;
  exit_code: number | null;
  signal: number | null;
  flags: string[] | null;
  container_id: string | null;
  origin: StorylineOrigin | null;
}

/** Exit facts for a process whose exec was not stored (or not sent). */
export interface ProcessExit {
  processId: string;
  exitedAt: string;
  exitCode: number | null;
  signal: number | null;
}

export interface StoredStoryline {
  processes: ProcessNode[];
  exits: ProcessExit[];
}

@Injectable()
export class ProcessEventsService implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(ProcessEventsService.name);
  private timer: NodeJS.Timeout | null = null;

  constructor(
    private readonly db: DataSource,
    private readonly config: AppConfig,
  ) {}

  /** Partitions are ready before the first agent connects; a failure is logged, not fatal
   * (rows then land in the default partition until the next hourly run). */
  async onModuleInit(): Promise<void> {
    await this.maintainLogged();
    this.timer = setInterval(() => void this.maintainLogged(), MAINTENANCE_INTERVAL_MS);
    this.timer.unref();
  }

  private async maintainLogged(): Promise<void> {
    try {
      await this.maintain();
    } catch (err) {
      this.logger.error(`process events: partition maintenance failed: ${errorText(err)}`);
    }
  }

  onModuleDestroy(): void {
    if (this.timer) clearInterval(this.timer);
  }

  /** One multi-row INSERT over column arrays: one round trip per batch, whatever its size. */
  async insertBatch(agentId: string, events: ProcessEvent[], m: EntityManager): Promise<void> {
    const cols = {
      eventId: [] as string[],
      kind: [] as string[],
      processId: [] as string[],
      parentProcessId: [] as (string | null)[],
      storylineId: [] as string[],
      pid: [] as (number | null)[],
      ppid: [] as (number | null)[],
      exe: [] as (string | null)[],
      args: [] as (string | null)[],
      argsTruncated: [] as (boolean | null)[],
      cwd: [] as (string | null)[],
      uid: [] as (number | null)[],
      user: [] as (string | null)[],
      startedAt: [] as (string | null)[],
      exitedAt: [] as (string | null)[],
      exitCode: [] as (number | null)[],
      signal: [] as (number | null)[],
      flags: [] as (string | null)[],
      containerId: [] as (string | null)[],
      origin: [] as (string | null)[],
    };
    for (const e of events) {
      cols.eventId.push(e.eventId);
      cols.kind.push(e.kind);
      if (e.kind === 'exec') {
        const p = e.process;
        cols.processId.push(p.processId);
        cols.parentProcessId.push(p.parentProcessId);
        cols.storylineId.push(p.storylineId);
        cols.pid.push(p.pid);
        cols.ppid.push(p.ppid);
        cols.exe.push(p.exe);
        cols.args.push(JSON.stringify(p.args));
        cols.argsTruncated.push(p.argsTruncated);
        cols.cwd.push(p.cwd);
        cols.uid.push(p.uid);
        cols.user.push(p.user);
        cols.startedAt.push(p.startedAt);
        cols.exitedAt.push(p.exitedAt);
        cols.exitCode.push(p.exitCode);
        cols.signal.push(p.signal);
        cols.flags.push(JSON.stringify(p.flags));
        cols.containerId.push(p.containerId);
        cols.origin.push(p.origin);
      } else {
        cols.processId.push(e.processId);
        cols.parentProcessId.push(null);
        cols.storylineId.push(e.storylineId);
        cols.pid.push(null);
        cols.ppid.push(null);
        cols.exe.push(null);
        cols.args.push(null);
        cols.argsTruncated.push(null);
        cols.cwd.push(null);
        cols.uid.push(null);
        cols.user.push(null);
        cols.startedAt.push(null);
        cols.exitedAt.push(e.exitedAt);
        cols.exitCode.push(e.exitCode);
        cols.signal.push(e.signal);
        cols.flags.push(null);
        cols.containerId.push(null);
        cols.origin.push(null);
      }
    }
    await m.query(
      `INSERT INTO process_events (agent_id, event_id, kind, process_id, parent_process_id,
         storyline_id, pid, ppid, exe, args, args_truncated, cwd, uid, username, started_at,
         exited_at, exit_code, signal, flags, container_id, origin)
       SELECT $1, * FROM unnest($2::text[], $3::text[], $4::text[], $5::text[], $6::text[],
         $7::int[], $8::int[], $9::text[], $10::jsonb[], $11::bool[], $12::text[], $13::bigint[],
         $14::text[], $15::timestamptz[], $16::timestamptz[], $17::int[], $18::int[],
         $19::jsonb[], $20::text[], $21::text[])`,
      [
        agentId,
        cols.eventId,
        cols.kind,
        cols.processId,
        cols.parentProcessId,
        cols.storylineId,
        cols.pid,
        cols.ppid,
        cols.exe,
        cols.args,
        cols.argsTruncated,
        cols.cwd,
        cols.uid,
        cols.user,
        cols.startedAt,
        cols.exitedAt,
        cols.exitCode,
        cols.signal,
        cols.flags,
        cols.containerId,
        cols.origin,
      ],
    );
  }

  /** What the stored events say about one storyline of one agent. */
  async storyline(agentId: string, storylineId: string): Promise<StoredStoryline> {
    const rows: EventRow[] = await this.db.query(
      `SELECT kind, process_id, parent_process_id, storyline_id, pid, ppid, exe, args,
              args_truncated, cwd, uid, username, started_at, exited_at, exit_code, signal,
              flags, container_id, origin
         FROM process_events WHERE agent_id = $1 AND storyline_id = $2
        ORDER BY received_at LIMIT $3`,
      [agentId, storylineId, MAX_STORYLINE_ROWS],
    );
    const processes: ProcessNode[] = [];
    const exits: ProcessExit[] = [];
    for (const r of rows) {
      if (r.kind === 'exec') processes.push(toProcessNode(r));
      else if (r.exited_at) {
        exits.push({
          processId: r.process_id,
          exitedAt: r.exited_at.toISOString(),
          exitCode: r.exit_code,
          signal: r.signal,
        });
      }
    }
    return { processes, exits };
  }

  /** Creates the coming days' partitions and drops those past retention. Safe on every replica. */
  async maintain(now = new Date()): Promise<void> {
    const cutoff = new Date(now.getTime() - this.config.processEventRetentionDays * DAY_MS);
    const failures: string[] = [];
    // One transaction per day, so a day that cannot be made does not stop the others.
    for (let d = -1; d <= DAYS_AHEAD; d++) {
      const day = startOfUtcDay(new Date(now.getTime() + d * DAY_MS));
      await this.locked((m) => this.createPartition(m, day)).catch((err: unknown) =>
        failures.push(`partition for ${day.toISOString().slice(0, 10)}: ${errorText(err)}`),
      );
    }
    await this.locked(async (m) => {
      for (const name of await this.partitionNames(m)) {
        const day = partitionDay(name);
        if (day && day.getTime() + DAY_MS <= cutoff.getTime()) {
          await m.query(`DROP TABLE ${name}`);
          this.logger.log(`process events: dropped ${name} (older than retention)`);
        }
      }
      await m.query(`DELETE FROM process_events_default WHERE received_at < $1`, [cutoff]);
      // A message id older than retention will not be resent: agents' outboxes are not that old.
      await m.query(
        `DELETE FROM agent_messages WHERE type = 'process_events' AND received_at < $1`,
        [cutoff],
      );
    });
    if (failures.length > 0) throw new Error(failures.join('; '));
  }

  private locked(work: (m: EntityManager) => Promise<void>): Promise<void> {
    return this.db.transaction(async (m) => {
      await m.query('SELECT pg_advisory_xact_lock($1)', [PARTITION_LOCK_KEY]);
      await work(m);
    });
  }

  private async createPartition(m: EntityManager, day: Date): Promise<void> {
    const name = `process_events_${day.toISOString().slice(0, 10).replace(/-/g, '')}`;
    const from = day.toISOString();
    const to = new Date(day.getTime() + DAY_MS).toISOString();
    await m.query(
      `CREATE TABLE IF NOT EXISTS ${name} PARTITION OF process_events
         FOR VALUES FROM ('${from}') TO ('${to}')`,
    );
  }

  private async partitionNames(m: EntityManager): Promise<string[]> {
    const rows: { name: string }[] = await m.query(
      `SELECT c.relname AS name FROM pg_inherits i
         JOIN pg_class c ON c.oid = i.inhrelid
         JOIN pg_class p ON p.oid = i.inhparent
        WHERE p.relname = 'process_events'`,
    );
    return rows.map((r) => r.name);
  }
}

function startOfUtcDay(t: Date): Date {
  return new Date(Date.UTC(t.getUTCFullYear(), t.getUTCMonth(), t.getUTCDate()));
}

function partitionDay(name: string): Date | null {
  const m = PARTITION_NAME.exec(name);
  return m ? new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3]))) : null;
}

function toProcessNode(r: EventRow): ProcessNode {
  return {
    processId: r.process_id,
    parentProcessId: r.parent_process_id,
    storylineId: r.storyline_id,
    pid: r.pid ?? 0,
    ppid: r.ppid ?? 0,
    exe: r.exe ?? '',
    args: r.args ?? [],
    argsTruncated: r.args_truncated ?? false,
    cwd: r.cwd,
    uid: Number(r.uid ?? 0),
    user: r.username,
    startedAt: (r.started_at ?? new Date(0)).toISOString(),
    exitedAt: r.exited_at?.toISOString() ?? null,
    exitCode: r.exit_code,
    signal: r.signal,
    flags: r.flags ?? [],
    containerId: r.container_id,
    origin: r.origin,
  };
}
