import { WebSocket } from 'ws';
import type { ServerFrame } from '@driftlock/protocol';
import type { AgentActor } from '../auth/actor';

/** Frames queued on one socket before it stops reading (TCP then slows the agent down). */
const PAUSE_AT = 32;
const RESUME_AT = 8;
/** How often a stream of frames refreshes the agent's last-seen time. */
const TOUCH_EVERY_MS = 10_000;

/**
 * One agent's socket on this replica. Frames are handled one at a time, in order, so acks
 * follow the agent's sequence and a hello is applied before what comes after it.
 */
export class AgentConnection {
  private chain: Promise<void> = Promise.resolve();
  private queued = 0;
  private lastTouch = 0;

  /** Cleared at each ping, set by the pong: a socket that stays cleared is dead. */
  private answeredPing = true;

  constructor(
    readonly agent: AgentActor,
    readonly ws: WebSocket,
  ) {
    ws.on('pong', () => (this.answeredPing = true));
  }

  /** Pings the agent; false when it never answered the previous ping (the socket is dead). */
  ping(): boolean {
    if (!this.answeredPing) return false;
    this.answeredPing = false;
    this.ws.ping();
    return true;
  }

  enqueue(work: () => Promise<void>): void {
    this.queued++;
    if (this.queued >= PAUSE_AT) this.ws.pause();
    this.chain = this.chain.then(work).finally(() => {
      this.queued--;
      if (this.queued <= RESUME_AT && this.ws.isPaused) this.ws.resume();
    });
  }

  /** Waits for every queued frame (tests and shutdown). */
  drained(): Promise<void> {
    return this.chain;
  }

  send(frame: ServerFrame): void {
    if (this.ws.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(frame));
  }

  /** True when the last-seen time is due for a refresh. */
  touchDue(now = Date.now()): boolean {
    if (now - this.lastTouch < TOUCH_EVERY_MS) return false;
    this.lastTouch = now;
    return true;
  }
}
