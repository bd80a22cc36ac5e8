import { randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { AgentMessage, PROTOCOL_VERSION } from '@driftlock/protocol';

type Envelope = 'v' | 'id' | 'seq' | 'sentAt';
type DistributiveOmit<T, K extends PropertyKey> = T extends unknown ? Omit<T, K> : never;
/** A message body as callers write it; the outbox stamps the envelope. */
export type OutboxBody = DistributiveOmit<AgentMessage, Envelope>;

interface Entry {
  seq: number;
  id: string;
  type: AgentMessage['type'];
  file: string;
}

export interface OutboxOptions {
  /** process_events batches kept while undelivered; more are dropped (threats never are). */
  maxEventBatches: number;
}

/** Sequence numbers are reserved on disk in blocks, so a restart never reuses one. */
const SEQ_BLOCK = 1000;
const NAME = /^(\d{20})\.json$/;

function fileName(seq: number): string {
  return `${String(seq).padStart(20, '0')}.json`;
}

/**
 * The durable queue between the agent and the server: one file per message, written to a
 * temporary name, fsynced, renamed and the directory fsynced, so after a SIGKILL at any point a
 * message is either wholly there or not there at all. A message leaves only when the server
 * acks its sequence number.
 */
export class Outbox {
  private readonly entries: Entry[] = [];
  private nextSeq = 1;
  private reservedUpTo = 0;
  private droppedBatches = 0;

  private constructor(
    readonly dir: string,
    private readonly options: OutboxOptions,
  ) {}

  static open(dir: string, options: OutboxOptions): Outbox {
    const outbox = new Outbox(dir, options);
    outbox.load();
    return outbox;
  }

  get length(): number {
    return this.entries.length;
  }

  get dropped(): number {
    return this.droppedBatches;
  }

  /**
   * Stores a message durably and returns it with its envelope, or null when it is an event batch
   * over the cap (the server being away for long must not fill the disk with telemetry).
   */
  append(body: OutboxBody): AgentMessage | null {
    if (body.type === 'process_events' && this.eventBatches() >= this.options.maxEventBatches) {
      this.droppedBatches += 1;
      return null;
    }
    const seq = this.takeSeq();
    const message = {
      ...body,
      v: PROTOCOL_VERSION,
      id: randomUUID(),
      seq,
      sentAt: new Date().toISOString(),
    } as AgentMessage;
    const file = path.join(this.dir, fileName(seq));
    writeDurably(file, JSON.stringify(message));
    this.entries.push({ seq, id: message.id, type: message.type, file });
    return message;
  }

  /** Un-acked messages in sequence order, read back from disk. */
  *pending(fromSeq = 0): Generator<AgentMessage> {
    for (const entry of this.entries) {
      if (entry.seq < fromSeq) continue;
      const message = this.read(entry);
      if (message) yield message;
    }
  }

  /** Removes an acked message; unknown or already-acked sequence numbers are ignored. */
  ack(seq: number): boolean {
    const index = this.entries.findIndex((e) => e.seq === seq);
    if (index < 0) return false;
    const [entry] = this.entries.splice(index, 1);
    fs.rmSync(entry.file, { force: true });
    return true;
  }

  /** The un-acked message with this id, read back from disk. */
  find(id: string): AgentMessage | null {
    const entry = this.entries.find((e) => e.id === id);
    return entry ? this.read(entry) : null;
  }

  /** Removes a message by id, for one the server rejects for good; returns what was removed. */
  dropById(id: string): { seq: number; type: AgentMessage['type'] } | null {
    const entry = this.entries.find((e) => e.id === id);
    if (!entry || !this.ack(entry.seq)) return null;
    return { seq: entry.seq, type: entry.type };
  }

  private eventBatches(): number {
    return this.entries.filter((e) => e.type === 'process_events').length;
  }

  private takeSeq(): number {
    const seq = this.nextSeq++;
    if (seq > this.reservedUpTo) {
      this.reservedUpTo = seq + SEQ_BLOCK;
      writeDurably(path.join(this.dir, 'seq'), String(this.reservedUpTo));
    }
    return seq;
  }

  private read(entry: Entry): AgentMessage | null {
    try {
      return AgentMessage.parse(JSON.parse(fs.readFileSync(entry.file, 'utf8')));
    } catch {
      return null;
    }
  }

  private load(): void {
    fs.mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    let reserved = 0;
    try {
      reserved = Number(fs.readFileSync(path.join(this.dir, 'seq'), 'utf8')) || 0;
    } catch {
      reserved = 0;
    }
    let highest = 0;
    for (const name of fs.readdirSync(this.dir).sort()) {
      if (name.includes('.tmp')) {
        // A write the crash interrupted: it was never acknowledged to anyone.
        fs.rmSync(path.join(this.dir, name), { force: true });
        continue;
      }
      const match = NAME.exec(name);
      if (!match) continue;
      const seq = Number(match[1]);
      const entry: Entry = { seq, id: '', type: 'heartbeat', file: path.join(this.dir, name) };
      const message = this.read(entry);
      if (!message) {
        fs.renameSync(entry.file, `${entry.file}.corrupt`);
        continue;
      }
      entry.type = message.type;
      entry.id = message.id;
      this.entries.push(entry);
      highest = Math.max(highest, seq);
    }
    this.nextSeq = Math.max(highest, reserved) + 1;
    this.reservedUpTo = this.nextSeq - 1;
  }
}

function writeDurably(file: string, data: string): void {
  const temporary = `${file}.tmp`;
  const fd = fs.openSync(temporary, 'w', 0o600);
  try {
    fs.writeFileSync(fd, data);
    fs.fsyncSync(fd);
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(temporary, file);
  const dirFd = fs.openSync(path.dirname(file), 'r');
  try {
    fs.fsyncSync(dirFd);
  } finally {
    fs.closeSync(dirFd);
  }
}
