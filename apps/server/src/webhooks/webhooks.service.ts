import {
  Injectable,
  Logger,
  NotFoundException,
  OnApplicationBootstrap,
  OnModuleDestroy,
} from '@nestjs/common';
import type {
  CreatedWebhook,
  CreateWebhookRequest,
  ThreatSummary,
  Webhook,
} from '@driftlock/protocol';
import { randomBytes } from 'node:crypto';
import { DataSource, EntityManager } from 'typeorm';
import type { Actor } from '../auth/actor';
import { AuditService } from '../audit/audit.service';
import { AppConfig } from '../config/app-config';
import { errorText } from '../events/errors';
import { EventBus } from '../events/event-bus.service';
import { WebhookDeliveryEntity, WebhookEntity } from './webhook.entity';
import { MAX_ATTEMPTS, retryDelayMs, SIGNATURE_HEADER, signBody } from './webhook-signature';

const POLL_INTERVAL_MS = 1000;
const CLAIM_BATCH = 20;

interface ClaimedDelivery {
  id: string;
  event: string;
  payload: Record<string, unknown>;
  attempts: number;
  created_at: Date;
  webhook_id: string;
  url: string;
  secret: string;
}

export function toWebhook(w: WebhookEntity): Webhook {
  return {
    id: w.id,
    name: w.name,
    url: w.url,
    enabled: w.enabled,
    createdAt: w.createdAt.toISOString(),
    lastDeliveryAt: w.lastDeliveryAt?.toISOString() ?? null,
    lastDeliveryStatus: w.lastDeliveryStatus,
  };
}

/**
 * Webhooks for integrations. Deliveries are rows written with the event they announce; every
 * replica polls for due rows and claims them with SKIP LOCKED, so each is sent by one replica,
 * and one that dies mid-send leaves a lock that expires for another to retry.
 */
@Injectable()
export class WebhooksService implements OnApplicationBootstrap, OnModuleDestroy {
  private readonly logger = new Logger(WebhooksService.name);
  private timer: NodeJS.Timeout | null = null;
  private running: Promise<void> | null = null;
  private stopped = false;

  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
    private readonly events: EventBus,
    private readonly config: AppConfig,
  ) {}

  onApplicationBootstrap(): void {
    this.timer = setInterval(() => this.kick(), POLL_INTERVAL_MS);
    this.timer.unref();
    this.events.subscribe((e) => {
      if (e.type === 'threat.created') this.kick();
    });
  }

  async onModuleDestroy(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    await this.running;
  }

  async list(): Promise<Webhook[]> {
    const rows = await this.db.getRepository(WebhookEntity).find({ order: { createdAt: 'ASC' } });
    return rows.map(toWebhook);
  }

  async create(req: CreateWebhookRequest, actor: Actor): Promise<CreatedWebhook> {
    const secret = randomBytes(32).toString('hex');
    return this.db.transaction(async (m) => {
      const repo = m.getRepository(WebhookEntity);
      const saved = await repo.save({
        name: req.name,
        url: req.url,
        secret,
        createdBy: actor.name,
      });
      await this.audit.record(
        {
          actor,
          action: 'webhook.created',
          targetType: 'webhook',
          targetId: saved.id,
          detail: { name: req.name, url: req.url },
        },
        m,
      );
      return { webhook: toWebhook(await repo.findOneByOrFail({ id: saved.id })), secret };
    });
  }

  async remove(id: string, actor: Actor): Promise<void> {
    await this.db.transaction(async (m) => {
      const repo = m.getRepository(WebhookEntity);
      const hook = await repo.findOneBy({ id });
      if (!hook) throw new NotFoundException(`webhook ${id} not found`);
      await repo.delete(id);
      await this.audit.record(
        {
          actor,
          action: 'webhook.deleted',
          targetType: 'webhook',
          targetId: id,
          detail: { name: hook.name, url: hook.url },
        },
        m,
      );
    });
  }

  /** Queues a `threat.created` delivery per enabled webhook, in the threat's own transaction. */
  async enqueueThreatCreated(threat: ThreatSummary, m: EntityManager): Promise<void> {
    await m.query(
      `INSERT INTO webhook_deliveries (webhook_id, event, payload)
       SELECT id, 'threat.created', $1 FROM webhooks WHERE enabled`,
      [JSON.stringify({ threat })],
    );
  }

  /** Runs one delivery pass now unless one is running (the next tick picks up the rest). */
  kick(): void {
    if (this.running || this.stopped) return;
    this.running = this.deliverDue()
      .catch((err: unknown) =>
        this.logger.error(`webhooks: delivery pass failed: ${errorText(err)}`),
      )
      .finally(() => (this.running = null));
  }

  private async deliverDue(): Promise<void> {
    for (;;) {
      const claimed = await this.claim();
      if (claimed.length === 0 || this.stopped) return;
      await Promise.all(claimed.map((d) => this.deliver(d)));
    }
  }

  private async claim(): Promise<ClaimedDelivery[]> {
    const lockMs = this.config.webhookTimeoutMs + 10_000;
    const [rows]: [ClaimedDelivery[], number] = await this.db.query(
      `WITH due AS (
         SELECT id FROM webhook_deliveries
          WHERE status = 'pending' AND next_attempt_at <= now()
            AND (locked_until IS NULL OR locked_until < now())
          ORDER BY next_attempt_at LIMIT $1 FOR UPDATE SKIP LOCKED)
       UPDATE webhook_deliveries d
          SET locked_until = now() + make_interval(secs => $2), attempts = d.attempts + 1
         FROM due, webhooks w
        WHERE d.id = due.id AND w.id = d.webhook_id
       RETURNING d.id, d.event, d.payload, d.attempts, d.created_at, d.webhook_id, w.url, w.secret`,
      [CLAIM_BATCH, lockMs / 1000],
    );
    return rows;
  }

  private async deliver(d: ClaimedDelivery): Promise<void> {
    const body = JSON.stringify({
      id: d.id,
      event: d.event,
      createdAt: d.created_at.toISOString(),
      attempt: d.attempts,
      ...d.payload,
    });
    let error: string | null = null;
    let status: string;
    try {
      const res = await fetch(d.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'user-agent': 'driftlock-webhooks',
          [SIGNATURE_HEADER]: signBody(d.secret, body),
          'X-Driftlock-Event': d.event,
          'X-Driftlock-Delivery': d.id,
        },
        body,
        signal: AbortSignal.timeout(this.config.webhookTimeoutMs),
        redirect: 'manual',
      });
      await res.body?.cancel();
      status = `HTTP ${res.status}`;
      if (!res.ok) error = `webhook ${d.url} answered HTTP ${res.status}`;
    } catch (err) {
      status = 'unreachable';
      error = `webhook ${d.url}: ${errorText(err)}`;
    }
    await this.settle(d, status, error);
  }

  private async settle(d: ClaimedDelivery, status: string, error: string | null): Promise<void> {
    const now = new Date();
    await this.db.transaction(async (m) => {
      const deliveries = m.getRepository(WebhookDeliveryEntity);
      if (error === null) {
        await deliveries.update(d.id, { status: 'delivered', deliveredAt: now, lockedUntil: null });
      } else {
        const giveUp = d.attempts >= MAX_ATTEMPTS;
        await deliveries.update(d.id, {
          status: giveUp ? 'failed' : 'pending',
          lastError: error,
          lockedUntil: null,
          nextAttemptAt: new Date(now.getTime() + retryDelayMs(d.attempts)),
        });
        this.logger.warn(
          `webhooks: delivery ${d.id} attempt ${d.attempts} failed (${error})` +
            (giveUp ? '; giving up' : ''),
        );
      }
      await m
        .getRepository(WebhookEntity)
        .update(d.webhook_id, { lastDeliveryAt: now, lastDeliveryStatus: status });
    });
  }
}
