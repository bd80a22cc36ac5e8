import { Injectable, Logger, OnModuleDestroy, OnModuleInit } from '@nestjs/common';
import { Client, type Notification } from 'pg';
import { DataSource, EntityManager } from 'typeorm';
import { AppConfig } from '../config/app-config';
import { errorText } from './errors';
import { FLEET_CHANNEL, FleetEvent, MAX_IDS_PER_EVENT } from './fleet-event';

type Handler = (event: FleetEvent) => void | Promise<void>;

const RECONNECT_DELAY_MS = 1000;
/** How the listening connection shows in pg_stat_activity. */
export const LISTENER_APPLICATION_NAME = 'driftlock-events';

/**
 * Cross-replica fan-out on Postgres LISTEN/NOTIFY, on one dedicated connection per replica.
 * Every replica (the sender too) receives every event, so there is one code path for local
 * and remote changes. Publishing inside a transaction delivers the event only on commit.
 */
@Injectable()
export class EventBus implements OnModuleInit, OnModuleDestroy {
  private readonly logger = new Logger(EventBus.name);
  private readonly handlers: Handler[] = [];
  private listener: Client | null = null;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private closing = false;
  private everListened = false;

  constructor(
    private readonly dataSource: DataSource,
    private readonly config: AppConfig,
  ) {}

  async onModuleInit(): Promise<void> {
    await this.connect();
  }

  async onModuleDestroy(): Promise<void> {
    this.closing = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    await this.listener?.end().catch(() => undefined);
    this.listener = null;
  }

  subscribe(handler: Handler): void {
    this.handlers.push(handler);
  }

  async publish(event: FleetEvent, manager?: EntityManager): Promise<void> {
    const runner = manager ?? this.dataSource.manager;
    for (const part of splitIds(event)) {
      await runner.query('SELECT pg_notify($1, $2)', [FLEET_CHANNEL, JSON.stringify(part)]);
    }
  }

  private async connect(): Promise<void> {
    if (!this.config.databaseUrl) throw new Error('events: no database URL to listen on');
    const client = new Client({
      connectionString: this.config.databaseUrl,
      application_name: LISTENER_APPLICATION_NAME,
    });
    client.on('notification', (n) => this.dispatch(n));
    client.on('error', (err) => {
      this.logger.warn(`events: listener connection lost: ${err.message}`);
      this.connectionLost(client);
    });
    client.on('end', () => this.connectionLost(client));
    try {
      await client.connect();
      await client.query(`LISTEN ${FLEET_CHANNEL}`);
    } catch (err) {
      await client.end().catch(() => undefined);
      throw err;
    }
    const reconnected = this.everListened;
    this.listener = client;
    this.everListened = true;
    if (reconnected) this.deliver({ type: 'resync' });
  }

  private connectionLost(lost: Client): void {
    if (this.closing || this.listener !== lost) return;
    this.listener = null;
    this.reconnectLater();
  }

  private reconnectLater(): void {
    if (this.reconnectTimer) return;
    this.reconnectTimer = setTimeout(() => {
      this.reconnectTimer = null;
      this.connect().catch((err: unknown) => {
        this.logger.error(`events: cannot listen on ${FLEET_CHANNEL}: ${errorText(err)}`);
        if (!this.closing) this.reconnectLater();
      });
    }, RECONNECT_DELAY_MS);
  }

  private dispatch(notification: Notification): void {
    if (notification.channel !== FLEET_CHANNEL || !notification.payload) return;
    let event: FleetEvent;
    try {
      event = JSON.parse(notification.payload) as FleetEvent;
    } catch (err) {
      this.logger.error(`events: unreadable payload ${notification.payload}: ${String(err)}`);
      return;
    }
    this.deliver(event);
  }

  private deliver(event: FleetEvent): void {
    for (const handler of this.handlers) {
      Promise.resolve()
        .then(() => handler(event))
        .catch((err: unknown) =>
          this.logger.error(`events: handler for ${event.type} failed: ${errorText(err)}`),
        );
    }
  }
}

function splitIds(event: FleetEvent): FleetEvent[] {
  if (event.type !== 'threat.created' && event.type !== 'threat.updated') return [event];
  const parts: FleetEvent[] = [];
  for (let i = 0; i < event.ids.length; i += MAX_IDS_PER_EVENT) {
    parts.push({ type: event.type, ids: event.ids.slice(i, i + MAX_IDS_PER_EVENT) });
  }
  return parts;
}
