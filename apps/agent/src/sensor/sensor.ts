import { spawn, type ChildProcessByStdio } from 'child_process';
import { EventEmitter } from 'events';
import { promises as fs } from 'fs';
import * as path from 'path';
import * as readline from 'readline';
import type { Readable, Writable } from 'stream';
import {
  parseSensorLine,
  SENSOR_FORMAT_VERSION,
  type EnforcementMode,
  type SensorAck,
  type SensorEvent,
  type SensorHello,
  type SensorLine,
  type SensorStats,
} from './sensor-events';

export interface SensorOptions {
  /** The driftlock-sensor binary built by `make -C bpf` (bpf/build/driftlock-sensor). */
  loaderPath: string;
  /** How often the loader reports its counters; 1000 ms by default. */
  statsIntervalMs?: number;
  /** Size of the kernel ring buffer, a power of two (KiB); 8192 by default. */
  ringBufferKb?: number;
  /** stop(): how long to wait after closing stdin before SIGTERM, and after that before SIGKILL. */
  stopTimeoutMs?: number;
  /**
   * events(): queued events per iterator before the loader's stdout is paused. Pausing makes the
   * loader block, the kernel ring buffer fill and its drop counter rise: loss is counted, never
   * silent, and memory stays bounded.
   */
  highWaterMark?: number;
}

export interface SensorExit {
  code: number | null;
  signal: NodeJS.Signals | null;
  /** What the loader said in its last line: eof or signal; null when it died without saying. */
  reason: 'eof' | 'signal' | null;
  stderr: string;
}

export interface ExceptionIdentity {
  /** st_dev and st_ino of the file the loader resolved the path to. */
  dev: number;
  ino: string;
}

export interface SensorEventMap {
  event: [SensorEvent];
  stats: [SensorStats];
  error: [Error];
  exit: [SensorExit];
}

interface PendingCommand {
  line: string;
  resolve: (ack: SensorAck) => void;
  reject: (error: Error) => void;
}

interface EventQueue {
  items: SensorEvent[];
  wake: (() => void) | null;
}

const STDERR_KEPT = 16 * 1024;
const DECIMAL_ID = /^[0-9]{1,20}$/;

/** The BPF cgroup id of a cgroup v2 folder: its inode number. */
export async function cgroupIdOf(cgroupDir: string): Promise<string> {
  const stat = await fs.stat(cgroupDir, { bigint: true });
  return stat.ino.toString();
}

/**
 * The kernel sensor: runs the driftlock-sensor loader as a child, turns its stdout into typed
 * events and sends it map updates. Subscribe with on('event') before start(), so the start-up
 * /proc scan is seen too; or iterate events() from any point on. A line that breaks the format
 * is emitted as 'error' (which, like any EventEmitter's, throws when nobody listens).
 */
export class Sensor extends EventEmitter<SensorEventMap> {
  private child: ChildProcessByStdio<Writable, Readable, Readable> | null = null;
  private lines: readline.Interface | null = null;
  private readonly pending: PendingCommand[] = [];
  private readonly queues = new Set<EventQueue>();
  private stderr = '';
  private byeReason: SensorExit['reason'] = null;
  private exitInfo: SensorExit | null = null;
  private exited: Promise<SensorExit> | null = null;
  private paused = false;
  private lastStats: SensorStats | null = null;
  private hello: SensorHello | null = null;

  constructor(private readonly options: SensorOptions) {
    super();
  }

  /** Spawns the loader; resolves once it has attached its programs and emitted the /proc scan. */
  start(): Promise<SensorHello> {
    if (this.child) return Promise.reject(new Error('sensor: already started'));
    const args: string[] = [];
    if (this.options.statsIntervalMs) {
      args.push('--stats-interval-ms', String(this.options.statsIntervalMs));
    }
    if (this.options.ringBufferKb) args.push('--ring-buffer-kb', String(this.options.ringBufferKb));
    const child = spawn(this.options.loaderPath, args, { stdio: ['pipe', 'pipe', 'pipe'] });
    this.child = child;
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      this.stderr = (this.stderr + chunk).slice(-STDERR_KEPT);
    });
    // a write after the loader died surfaces through the exit handler, with its stderr
    child.stdin.on('error', () => undefined);
    this.lines = readline.createInterface({ input: child.stdout, crlfDelay: Infinity });

    this.exited = new Promise((resolve) => {
      child.on('close', (code, signal) => {
        this.exitInfo = { code, signal, reason: this.byeReason, stderr: this.stderr.trim() };
        this.failPending(this.diedError('while a command was pending'));
        for (const queue of this.queues) queue.wake?.();
        this.emit('exit', this.exitInfo);
        resolve(this.exitInfo);
      });
    });

    return new Promise<SensorHello>((resolve, reject) => {
      const onLine = (line: string): void => {
        try {
          const record = parseSensorLine(line);
          if (record.kind === 'ready' && this.hello) resolve(this.hello);
          this.dispatch(record);
        } catch (error) {
          this.emitError(error as Error);
        }
      };
      this.lines?.on('line', onLine);
      child.on('error', (error) =>
        reject(new Error(`sensor: cannot run ${this.options.loaderPath}: ${error.message}`)),
      );
      void this.exited?.then(() =>
        reject(this.diedError('before it was ready (it needs root and a kernel with BTF)')),
      );
    });
  }

  /** Sets a cgroup's enforcement mode (the cgroup id is the inode of its cgroup v2 folder). */
  async setMode(cgroupId: string | bigint, mode: EnforcementMode): Promise<void> {
    await this.command(`mode ${checkedCgroupId(cgroupId)} ${mode}`);
  }

  /** Removes the cgroup from the enforcement map: its execs get no verdict. */
  async clearMode(cgroupId: string | bigint): Promise<void> {
    await this.command(`clear ${checkedCgroupId(cgroupId)}`);
  }

  /**
   * Lets the file at this absolute path run in protect mode. The loader resolves the path now;
   * the kernel matches device, inode and ctime, so replacing or modifying the file ends the
   * exception.
   */
  async addException(filePath: string): Promise<ExceptionIdentity> {
    return identityOf(await this.command(`except ${checkedPath(filePath)}`));
  }

  async removeException(filePath: string): Promise<ExceptionIdentity> {
    return identityOf(await this.command(`unexcept ${checkedPath(filePath)}`));
  }

  /** Fresh counters from the kernel (events, drops, kills since start). */
  async stats(): Promise<SensorStats> {
    await this.command('stats');
    if (!this.lastStats) throw new Error('sensor: stats command acknowledged without a stats line');
    return this.lastStats;
  }

  /**
   * Resolves once every event the kernel recorded before this call has been emitted: the loader
   * drains the ring buffer before it reads a command, so the events precede the command's ack.
   */
  async drained(): Promise<void> {
    await this.command('stats');
  }

  /** The last periodic or requested stats line, if any. */
  get latestStats(): SensorStats | null {
    return this.lastStats;
  }

  /** Events from now on, in kernel order. Ends when the sensor exits. */
  events(): AsyncIterableIterator<SensorEvent> {
    const queue: EventQueue = { items: [], wake: null };
    this.queues.add(queue);
    const done = (): IteratorResult<SensorEvent> => {
      this.queues.delete(queue);
      this.resumeIfDrained();
      return { done: true, value: undefined };
    };
    const iterator: AsyncIterableIterator<SensorEvent> = {
      next: async () => {
        while (queue.items.length === 0) {
          if (this.exitInfo || !this.queues.has(queue)) return done();
          await new Promise<void>((wake) => (queue.wake = wake));
          queue.wake = null;
        }
        const value = queue.items.shift() as SensorEvent;
        this.resumeIfDrained();
        return { done: false, value };
      },
      return: async () => done(),
      [Symbol.asyncIterator]: () => iterator,
    };
    return iterator;
  }

  /**
   * Closes the loader's stdin (it drains the ring buffer, prints final stats and exits), then
   * escalates to SIGTERM and SIGKILL if it does not.
   */
  async stop(): Promise<SensorExit> {
    const child = this.child;
    if (!child || !this.exited) throw new Error('sensor: not started');
    if (this.exitInfo) return this.exitInfo;
    const timeout = this.options.stopTimeoutMs ?? 5000;
    this.paused = false;
    this.lines?.resume();
    child.stdin.end();
    for (const signal of ['SIGTERM', 'SIGKILL'] as const) {
      if (await settlesWithin(this.exited, timeout)) break;
      child.kill(signal);
    }
    return this.exited;
  }

  private dispatch(record: SensorLine): void {
    switch (record.kind) {
      case 'exec':
      case 'fork':
      case 'exit':
        this.deliver(record);
        break;
      case 'stats':
        this.lastStats = record;
        this.emit('stats', record);
        break;
      case 'hello':
        if (record.version !== SENSOR_FORMAT_VERSION) {
          this.child?.kill('SIGTERM');
          throw new Error(
            `sensor: ${this.options.loaderPath} speaks format version ${record.version}, this agent reads version ${SENSOR_FORMAT_VERSION}`,
          );
        }
        this.hello = record;
        break;
      case 'ack':
        this.settle(record);
        break;
      case 'bye':
        this.byeReason = record.reason;
        break;
      case 'ready':
        break;
    }
  }

  private deliver(event: SensorEvent): void {
    this.emit('event', event);
    const highWaterMark = this.options.highWaterMark ?? 10_000;
    for (const queue of this.queues) {
      queue.items.push(event);
      queue.wake?.();
      if (queue.items.length >= highWaterMark && !this.paused) {
        this.paused = true;
        this.lines?.pause();
      }
    }
  }

  private resumeIfDrained(): void {
    const lowWaterMark = (this.options.highWaterMark ?? 10_000) / 2;
    if (!this.paused || [...this.queues].some((queue) => queue.items.length > lowWaterMark)) return;
    this.paused = false;
    this.lines?.resume();
  }

  private command(line: string): Promise<SensorAck> {
    const child = this.child;
    if (!child || this.exitInfo) {
      return Promise.reject(new Error(`sensor: cannot send "${line}": the loader is not running`));
    }
    return new Promise<SensorAck>((resolve, reject) => {
      this.pending.push({ line, resolve, reject });
      child.stdin.write(`${line}\n`);
    });
  }

  private settle(ack: SensorAck): void {
    const command = this.pending.shift();
    if (!command)
      throw new Error(`sensor: acknowledgement with no command pending (${ack.command})`);
    if (ack.ok) command.resolve(ack);
    else
      command.reject(
        new Error(`sensor: "${command.line}" refused: ${ack.error ?? 'no reason given'}`),
      );
  }

  private failPending(error: Error): void {
    for (const command of this.pending.splice(0)) command.reject(error);
  }

  private diedError(when: string): Error {
    const info = this.exitInfo;
    const how = info?.signal ? `signal ${info.signal}` : `code ${info?.code ?? 'unknown'}`;
    const stderr = this.stderr.trim();
    return new Error(
      `sensor: ${this.options.loaderPath} exited with ${how} ${when}${stderr ? `: ${stderr}` : ''}`,
    );
  }

  private emitError(error: Error): void {
    if (this.listenerCount('error') > 0) this.emit('error', error);
    else throw error;
  }
}

function checkedCgroupId(cgroupId: string | bigint): string {
  const text = cgroupId.toString();
  if (!DECIMAL_ID.test(text))
    throw new Error(`sensor: cgroup id must be a decimal number, got "${text}"`);
  return text;
}

function checkedPath(filePath: string): string {
  if (!path.isAbsolute(filePath) || filePath.includes('\n')) {
    throw new Error(`sensor: exception path must be absolute and on one line, got "${filePath}"`);
  }
  return filePath;
}

function identityOf(ack: SensorAck): ExceptionIdentity {
  if (ack.dev === undefined || ack.ino === undefined) {
    throw new Error(`sensor: ${ack.command} acknowledged without the file's dev and ino`);
  }
  return { dev: ack.dev, ino: ack.ino };
}

async function settlesWithin(promise: Promise<unknown>, ms: number): Promise<boolean> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<false>((resolve) => (timer = setTimeout(() => resolve(false), ms)));
  const settled = await Promise.race([promise.then(() => true), timeout]);
  clearTimeout(timer);
  return settled;
}
