import { Injectable, NotFoundException } from '@nestjs/common';
import type {
  BulkUpdateThreatsRequest,
  BulkUpdateThreatsResult,
  FileInfo,
  Mitigation,
  StorylineView,
  ThreatDetail,
  ThreatListQuery,
  ThreatPage,
  ThreatReport,
  ThreatStats,
  ThreatStatus,
  ThreatSummary,
  UpdateThreatRequest,
  Verdict,
} from '@driftlock/protocol';
import { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor';
import { AuditService } from '../audit/audit.service';
import { EventBus } from '../events/event-bus.service';
import { ProcessEventsService } from '../process-events/process-events.service';
import { summarizeMitigations } from './mitigation-summary';
import { buildStoryline } from './storyline';
import { ThreatChangeEntity, ThreatEntity, ThreatNoteEntity } from './threat.entity';
import { decodeCursor, encodeCursor, likePattern } from './threat-query';

/** The columns a ThreatSummary is made of; `cursor_at` keeps microseconds for the keyset. */
const SUMMARY_SELECT = `
  SELECT t.id, t.detected_at, t.command_line, t.engine, t.drift_class, t.mode, t.mitigation,
         t.file_path, t.pod_name, t.namespace, t.image, t.container_name, t.node, t.agent_id,
         a.hostname, t.status, t.verdict,
         to_char(t.detected_at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS cursor_at
    FROM threats t JOIN agents a ON a.id = t.agent_id`;

interface SummaryRow {
  id: string;
  detected_at: Date;
  command_line: string;
  engine: ThreatSummary['engine'];
  drift_class: ThreatSummary['driftClass'];
  mode: ThreatSummary['mode'];
  mitigation: ThreatSummary['mitigation'];
  file_path: string;
  pod_name: string | null;
  namespace: string | null;
  image: string | null;
  container_name: string | null;
  node: string | null;
  agent_id: string;
  hostname: string;
  status: ThreatStatus;
  verdict: Verdict | null;
  cursor_at: string;
}

const STATS_DAYS = 14;
const STATS_TOP = 5;

@Injectable()
export class ThreatsService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly events: EventBus,
    private readonly processEvents: ProcessEventsService,
  ) {}

  /**
   * Stores a reported threat once per (agent, agent's threat id); returns the server id and
   * whether this call created it. Announces new threats to every replica on commit.
   */
  async ingest(
    agentId: string,
    report: ThreatReport,
    m: EntityManager,
  ): Promise<{ id: string; created: boolean }> {
    const k8s = report.kubernetes;
    const rows: { id: string }[] = await m.query(
      `INSERT INTO threats (agent_id, agent_threat_id, detected_at, engine, drift_class, mode,
         command_line, process_id, storyline_id, file_path, file_size, file_sha256, mitigations,
         mitigation, container, kubernetes, container_id, container_name, image, pod_name,
         pod_uid, namespace, node, cluster, storyline)
       VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18,
         $19, $20, $21, $22, $23, $24, $25)
       ON CONFLICT (agent_id, agent_threat_id) DO NOTHING
       RETURNING id`,
      [
        agentId,
        report.threatId,
        report.detectedAt,
        report.engine,
        report.driftClass,
        report.mode,
        report.commandLine,
        report.processId,
        report.storyline.storylineId,
        report.file.path,
        report.file.size,
        report.file.sha256,
        JSON.stringify(report.mitigations),
        summarizeMitigations(report.mitigations),
        report.container ? JSON.stringify(report.container) : null,
        k8s ? JSON.stringify(k8s) : null,
        report.container?.id ?? null,
        k8s?.containerName ?? report.container?.name ?? null,
        report.container?.image ?? null,
        k8s?.podName ?? null,
        k8s?.podUid ?? null,
        k8s?.namespace ?? null,
        k8s?.node ?? null,
        k8s?.cluster ?? null,
        JSON.stringify(report.storyline),
      ],
    );
    if (rows.length === 1) {
      await this.events.publish({ type: 'threat.created', ids: [rows[0].id] }, m);
      return { id: rows[0].id, created: true };
    }
    const existing = await m
      .getRepository(ThreatEntity)
      .findOneOrFail({ select: ['id'], where: { agentId, agentThreatId: report.threatId } });
    return { id: existing.id, created: false };
  }

  /** Appends a later mitigation (e.g. the quarantine after the kill); null if no such threat. */
  async addMitigation(
    agentId: string,
    agentThreatId: string,
    mitigation: Mitigation,
    m: EntityManager,
  ): Promise<{ id: string; file: FileInfo } | null> {
    const repo = m.getRepository(ThreatEntity);
    const threat = await repo.findOne({
      where: { agentId, agentThreatId },
      lock: { mode: 'pessimistic_write' },
    });
    if (!threat) return null;
    const mitigations = [...threat.mitigations, mitigation];
    await repo.update(threat.id, {
      mitigations,
      mitigation: summarizeMitigations(mitigations),
      updatedAt: new Date(),
    });
    await this.events.publish({ type: 'threat.updated', ids: [threat.id] }, m);
    return { id: threat.id, file: fileInfo(threat) };
  }

  async list(query: ThreatListQuery): Promise<ThreatPage> {
    const where: string[] = [];
    const params: unknown[] = [];
    const add = (sql: (p: string) => string, value: unknown) => {
      params.push(value);
      where.push(sql(`$${params.length}`));
    };
    if (query.status) add((p) => `t.status = ${p}`, query.status);
    if (query.namespace) add((p) => `t.namespace = ${p}`, query.namespace);
    if (query.pod) add((p) => `t.pod_name ILIKE ${p}`, likePattern(query.pod));
    if (query.image) add((p) => `t.image ILIKE ${p}`, likePattern(query.image));
    if (query.agentId) add((p) => `t.agent_id = ${p}`, query.agentId);
    if (query.driftClass) add((p) => `t.drift_class = ${p}`, query.driftClass);
    if (query.from) add((p) => `t.detected_at >= ${p}`, query.from);
    if (query.to) add((p) => `t.detected_at < ${p}`, query.to);
    if (query.q) {
      add(
        (p) =>
          `(t.command_line ILIKE ${p} OR t.file_path ILIKE ${p} OR t.pod_name ILIKE ${p}
            OR t.image ILIKE ${p} OR t.container_name ILIKE ${p} OR t.namespace ILIKE ${p}
            OR t.node ILIKE ${p} OR a.hostname ILIKE ${p} OR t.file_sha256 ILIKE ${p})`,
        likePattern(query.q),
      );
    }
    if (query.cursor) {
      const cursor = decodeCursor(query.cursor);
      params.push(cursor.at, cursor.id);
      where.push(`(t.detected_at, t.id) < ($${params.length - 1}::timestamptz, $${params.length})`);
    }
    params.push(query.limit + 1);
    const rows: SummaryRow[] = await this.db.query(
      `${SUMMARY_SELECT}
        ${where.length ? `WHERE ${where.join(' AND ')}` : ''}
        ORDER BY t.detected_at DESC, t.id DESC
        LIMIT $${params.length}`,
      params,
    );
    const page = rows.slice(0, query.limit);
    const last = page[page.length - 1];
    return {
      items: page.map(toSummary),
      nextCursor:
        rows.length > query.limit && last
          ? encodeCursor({ at: last.cursor_at, id: last.id })
          : null,
    };
  }

  async summaries(ids: string[], m: EntityManager = this.db.manager): Promise<ThreatSummary[]> {
    if (ids.length === 0) return [];
    const rows: SummaryRow[] = await m.query(
      `${SUMMARY_SELECT} WHERE t.id = ANY($1::uuid[]) ORDER BY t.detected_at DESC, t.id DESC`,
      [ids],
    );
    return rows.map(toSummary);
  }

  async detail(id: string, m: EntityManager = this.db.manager): Promise<ThreatDetail> {
    const [row]: SummaryRow[] = await m.query(`${SUMMARY_SELECT} WHERE t.id = $1`, [id]);
    if (!row) throw new NotFoundException(`threat ${id} not found`);
    const threat = await m.getRepository(ThreatEntity).findOneByOrFail({ id });
    const notes = await m
      .getRepository(ThreatNoteEntity)
      .find({ where: { threatId: id }, order: { at: 'ASC' } });
    const changes = await m
      .getRepository(ThreatChangeEntity)
      .find({ where: { threatId: id }, order: { at: 'ASC' } });
    return {
      ...toSummary(row),
      file: fileInfo(threat),
      mitigations: threat.mitigations,
      container: threat.container,
      kubernetes: threat.kubernetes,
      storylineId: threat.storylineId,
      processId: threat.processId,
      agentThreatId: threat.agentThreatId,
      notes: notes.map((n) => ({ id: n.id, at: n.at.toISOString(), by: n.author, text: n.text })),
      history: changes.map((c) => ({
        at: c.at.toISOString(),
        by: c.author,
        field: c.field,
        from: c.fromValue,
        to: c.toValue,
      })),
    };
  }

  async update(id: string, req: UpdateThreatRequest, actor: Actor): Promise<ThreatDetail> {
    return this.db.transaction(async (m) => {
      const threat = await m
        .getRepository(ThreatEntity)
        .findOne({ where: { id }, lock: { mode: 'pessimistic_write' } });
      if (!threat) throw new NotFoundException(`threat ${id} not found`);
      const changed: Record<string, unknown> = {};
      if (req.status !== undefined && req.status !== threat.status) {
        await this.recordChange(m, threat, 'status', req.status, actor);
        changed.status = { from: threat.status, to: req.status };
      }
      if (req.verdict !== undefined && req.verdict !== threat.verdict) {
        await this.recordChange(m, threat, 'verdict', req.verdict, actor);
        changed.verdict = { from: threat.verdict, to: req.verdict };
      }
      if (req.note !== undefined) {
        await m
          .getRepository(ThreatNoteEntity)
          .insert({ threatId: id, at: new Date(), author: actor.name, text: req.note });
        changed.note = req.note;
      }
      await this.audit.record(
        { actor, action: 'threat.updated', targetType: 'threat', targetId: id, detail: changed },
        m,
      );
      await this.events.publish({ type: 'threat.updated', ids: [id] }, m);
      return this.detail(id, m);
    });
  }

  async bulkStatus(req: BulkUpdateThreatsRequest, actor: Actor): Promise<BulkUpdateThreatsResult> {
    return this.db.transaction(async (m) => {
      const threats = await m.getRepository(ThreatEntity).find({
        select: ['id', 'status'],
        where: req.ids.map((id) => ({ id })),
        lock: { mode: 'pessimistic_write' },
      });
      const toChange = threats.filter((t) => t.status !== req.status);
      for (const t of toChange) await this.recordChange(m, t, 'status', req.status, actor);
      if (toChange.length > 0) {
        const ids = toChange.map((t) => t.id);
        await this.audit.record(
          {
            actor,
            action: 'threat.bulk_status',
            targetType: 'threat',
            detail: { status: req.status, ids },
          },
          m,
        );
        await this.events.publish({ type: 'threat.updated', ids }, m);
      }
      return { updated: toChange.length };
    });
  }

  async stats(): Promise<ThreatStats> {
    const [counts]: { unresolved: string; total: string }[] = await this.db.query(
      `SELECT count(*) FILTER (WHERE status = 'unresolved') AS unresolved, count(*) AS total
         FROM threats`,
    );
    const perDay: { day: string; count: string }[] = await this.db.query(
      `SELECT to_char(d.day, 'YYYY-MM-DD') AS day, count(t.id) AS count
         FROM generate_series(date_trunc('day', now() AT TIME ZONE 'UTC') - make_interval(days => $1),
                              date_trunc('day', now() AT TIME ZONE 'UTC'), interval '1 day') AS d(day)
         LEFT JOIN threats t
           ON t.detected_at >= d.day AT TIME ZONE 'UTC'
          AND t.detected_at < (d.day + interval '1 day') AT TIME ZONE 'UTC'
        GROUP BY d.day ORDER BY d.day`,
      [STATS_DAYS - 1],
    );
    const top = async (column: 'namespace' | 'image' | 'drift_class') => {
      const rows: { key: string; count: string }[] = await this.db.query(
        `SELECT ${column} AS key, count(*) AS count FROM threats
          WHERE ${column} IS NOT NULL GROUP BY ${column} ORDER BY count(*) DESC, ${column}
          LIMIT $1`,
        [STATS_TOP],
      );
      return rows.map((r) => ({ key: r.key, count: Number(r.count) }));
    };
    return {
      unresolved: Number(counts.unresolved),
      total: Number(counts.total),
      perDay: perDay.map((r) => ({ day: r.day, count: Number(r.count) })),
      topNamespaces: await top('namespace'),
      topImages: await top('image'),
      topDriftClasses: await top('drift_class'),
    };
  }

  async storyline(id: string): Promise<StorylineView> {
    const threat = await this.db.getRepository(ThreatEntity).findOne({
      select: ['id', 'agentId', 'storylineId', 'processId', 'storyline'],
      where: { id },
    });
    if (!threat) throw new NotFoundException(`threat ${id} not found`);
    const stored = await this.processEvents.storyline(threat.agentId, threat.storylineId);
    return buildStoryline(threat.storyline, stored, threat.processId);
  }

  private async recordChange(
    m: EntityManager,
    threat: Pick<ThreatEntity, 'id' | 'status' | 'verdict'>,
    field: 'status' | 'verdict',
    to: string | null,
    actor: Actor,
  ): Promise<void> {
    const from = field === 'status' ? threat.status : threat.verdict;
    await m.getRepository(ThreatChangeEntity).insert({
      threatId: threat.id,
      at: new Date(),
      author: actor.name,
      field,
      fromValue: from,
      toValue: to,
    });
    await m.getRepository(ThreatEntity).update(threat.id, { [field]: to, updatedAt: new Date() });
  }
}

function fileInfo(t: ThreatEntity): FileInfo {
  return {
    path: t.filePath,
    size: t.fileSize === null ? null : Number(t.fileSize),
    sha256: t.fileSha256,
  };
}

function toSummary(r: SummaryRow): ThreatSummary {
  return {
    id: r.id,
    detectedAt: r.detected_at.toISOString(),
    commandLine: r.command_line,
    engine: r.engine,
    driftClass: r.drift_class,
    mode: r.mode,
    mitigation: r.mitigation,
    filePath: r.file_path,
    podName: r.pod_name,
    namespace: r.namespace,
    image: r.image,
    containerName: r.container_name,
    node: r.node,
    agentId: r.agent_id,
    hostname: r.hostname,
    status: r.status,
    verdict: r.verdict,
  };
}
