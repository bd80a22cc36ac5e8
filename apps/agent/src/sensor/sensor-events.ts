/**
 * The driftlock-sensor output stream (format version 1, docs/sensor.md): one JSON object per
 * line, the kind in `k`. This module turns a line into a typed, validated value; a line that does
 * not match the format is an error, never a guess.
 */

export const SENSOR_FORMAT_VERSION = 1;

export type EnforcementMode = 'off' | 'detect' | 'protect';

/**
 * none: the cgroup has no mode (or mode off); clean: watched, no drift; drift: drift, not killed
 * (detect mode); killed: SIGKILL sent in the kernel before the first instruction; excepted: drift,
 * but the file is in the exceptions map.
 */
export type Verdict = 'none' | 'clean' | 'drift' | 'killed' | 'excepted';

export interface ExecFlags {
  /** The file lives in an overlayfs upper layer: written or changed after the container started. */
  upperLayer: boolean;
  /** Fileless: a memfd, or a file with no link left. */
  memfd: boolean;
  /** The process's root is an overlay (a container) but the file is on another filesystem. */
  nonImageFs: boolean;
  /** The running binary is a shell, script runtime or dynamic loader: its script argument matters. */
  interpreter: boolean;
}

export interface ExecEvent {
  kind: 'exec';
  /** CLOCK_BOOTTIME, ns; for scan events the process start time. */
  timeNs: bigint;
  pid: number;
  tgid: number;
  ppid: number;
  /** cgroup v2 id (the inode of the cgroup's folder), decimal. */
  cgroupId: string;
  uid: number;
  gid: number;
  mntNs: number;
  pidNs: number;
  comm: string;
  /** The path execve was given: the script itself for a `#!` script; may be relative. */
  filename: string;
  argv: string[];
  argvTruncated: boolean;
  /** Identity of the file execve named, as stat(2) reports it. */
  dev: number;
  ino: string;
  size: number;
  mtimeNs: bigint;
  ctimeNs: bigint;
  flags: ExecFlags;
  mode: EnforcementMode;
  verdict: Verdict;
  killed: boolean;
  /** Synthesised from /proc at start-up for a process older than the sensor. */
  scan: boolean;
}

export interface ForkEvent {
  kind: 'fork';
  timeNs: bigint;
  /** The child. */
  pid: number;
  tgid: number;
  /** The parent process. */
  ppid: number;
  cgroupId: string;
}

export interface ExitEvent {
  kind: 'exit';
  timeNs: bigint;
  pid: number;
  tgid: number;
  ppid: number;
  cgroupId: string;
  exitCode: number;
  /** The terminating signal, 0 for a normal exit. */
  signal: number;
}

export type SensorEvent = ExecEvent | ForkEvent | ExitEvent;

/** Cumulative since the sensor started. drops: records the full ring buffer could not take. */
export interface SensorStats {
  kind: 'stats';
  timeNs: bigint;
  events: number;
  drops: number;
  kills: number;
}

export interface SensorHello {
  kind: 'hello';
  version: number;
  pid: number;
  timeNs: bigint;
}

export interface SensorReady {
  kind: 'ready';
  scanned: number;
}

export interface SensorAck {
  kind: 'ack';
  ok: boolean;
  command: string;
  error?: string;
  dev?: number;
  ino?: string;
}

export interface SensorBye {
  kind: 'bye';
  reason: 'eof' | 'signal';
}

export type SensorLine =
  SensorEvent | SensorStats | SensorHello | SensorReady | SensorAck | SensorBye;

export class SensorParseError extends Error {
  constructor(
    message: string,
    readonly line: string,
  ) {
    super(
      `sensor output: ${message} in line ${line.length > 200 ? line.slice(0, 200) + '...' : line}`,
    );
    this.name = 'SensorParseError';
  }
}

type Json = Record<string, unknown>;

class Fields {
  constructor(
    private readonly record: Json,
    private readonly line: string,
  ) {}

  fail(key: string, expected: string): never {
    throw new SensorParseError(`"${key}" should be ${expected}`, this.line);
  }

  int(key: string): number {
    const value = this.record[key];
    if (typeof value !== 'number' || !Number.isSafeInteger(value)) this.fail(key, 'an integer');
    return value;
  }

  u32(key: string): number {
    const value = this.int(key);
    if (value < 0 || value > 0xffffffff) this.fail(key, 'an unsigned 32-bit integer');
    return value;
  }

  decimal(key: string): string {
    const value = this.record[key];
    if (typeof value !== 'string' || !/^[0-9]{1,20}$/.test(value))
      this.fail(key, 'a decimal string');
    return value;
  }

  bigint(key: string): bigint {
    return BigInt(this.decimal(key));
  }

  str(key: string): string {
    const value = this.record[key];
    if (typeof value !== 'string') this.fail(key, 'a string');
    return value;
  }

  bool(key: string): boolean {
    const value = this.record[key];
    if (typeof value !== 'boolean') this.fail(key, 'a boolean');
    return value;
  }

  strings(key: string): string[] {
    const value = this.record[key];
    if (!Array.isArray(value) || !value.every((item) => typeof item === 'string')) {
      this.fail(key, 'an array of strings');
    }
    return value as string[];
  }

  oneOf<T extends string>(key: string, allowed: readonly T[]): T {
    const value = this.str(key);
    if (!(allowed as readonly string[]).includes(value))
      this.fail(key, `one of ${allowed.join(', ')}`);
    return value as T;
  }

  has(key: string): boolean {
    return key in this.record;
  }
}

const FLAG_NAMES = ['upper_layer', 'memfd', 'non_image_fs', 'interpreter'] as const;
const MODES = ['off', 'detect', 'protect'] as const;
const VERDICTS = ['none', 'clean', 'drift', 'killed', 'excepted'] as const;
const NS_PER_SECOND = 1_000_000_000n;

function timestampNs(f: Fields, prefix: 'mtime' | 'ctime'): bigint {
  return BigInt(f.int(`${prefix}_s`)) * NS_PER_SECOND + BigInt(f.u32(`${prefix}_ns`));
}

function parseFlags(f: Fields): ExecFlags {
  const names = f.strings('flags');
  const unknown = names.filter((name) => !(FLAG_NAMES as readonly string[]).includes(name));
  if (unknown.length > 0)
    f.fail('flags', `made of ${FLAG_NAMES.join(', ')}, not ${unknown.join(', ')}`);
  return {
    upperLayer: names.includes('upper_layer'),
    memfd: names.includes('memfd'),
    nonImageFs: names.includes('non_image_fs'),
    interpreter: names.includes('interpreter'),
  };
}

function parseExec(f: Fields): ExecEvent {
  return {
    kind: 'exec',
    timeNs: f.bigint('t'),
    pid: f.u32('pid'),
    tgid: f.u32('tgid'),
    ppid: f.u32('ppid'),
    cgroupId: f.decimal('cg'),
    uid: f.u32('uid'),
    gid: f.u32('gid'),
    mntNs: f.u32('mntns'),
    pidNs: f.u32('pidns'),
    comm: f.str('comm'),
    filename: f.str('file'),
    argv: f.strings('argv'),
    argvTruncated: f.bool('argv_trunc'),
    dev: f.int('dev'),
    ino: f.decimal('ino'),
    size: f.int('size'),
    mtimeNs: timestampNs(f, 'mtime'),
    ctimeNs: timestampNs(f, 'ctime'),
    flags: parseFlags(f),
    mode: f.oneOf('mode', MODES),
    verdict: f.oneOf('verdict', VERDICTS),
    killed: f.bool('killed'),
    scan: f.bool('scan'),
  };
}

function parseAck(f: Fields): SensorAck {
  const ack: SensorAck = { kind: 'ack', ok: f.bool('ok'), command: f.str('cmd') };
  if (f.has('err')) ack.error = f.str('err');
  if (f.has('dev')) ack.dev = f.int('dev');
  if (f.has('ino')) ack.ino = f.decimal('ino');
  return ack;
}

function parseRecord(kind: string, f: Fields, line: string): SensorLine {
  switch (kind) {
    case 'exec':
      return parseExec(f);
    case 'fork':
      return {
        kind: 'fork',
        timeNs: f.bigint('t'),
        pid: f.u32('pid'),
        tgid: f.u32('tgid'),
        ppid: f.u32('ppid'),
        cgroupId: f.decimal('cg'),
      };
    case 'exit':
      return {
        kind: 'exit',
        timeNs: f.bigint('t'),
        pid: f.u32('pid'),
        tgid: f.u32('tgid'),
        ppid: f.u32('ppid'),
        cgroupId: f.decimal('cg'),
        exitCode: f.u32('code'),
        signal: f.u32('sig'),
      };
    case 'stats':
      return {
        kind: 'stats',
        timeNs: f.bigint('t'),
        events: f.int('events'),
        drops: f.int('drops'),
        kills: f.int('kills'),
      };
    case 'hello':
      return { kind: 'hello', version: f.int('v'), pid: f.u32('pid'), timeNs: f.bigint('t') };
    case 'ready':
      return { kind: 'ready', scanned: f.int('scanned') };
    case 'ack':
      return parseAck(f);
    case 'bye':
      return { kind: 'bye', reason: f.oneOf('reason', ['eof', 'signal'] as const) };
    default:
      throw new SensorParseError(`unknown kind "${kind}"`, line);
  }
}

/** Parse one line of sensor output; throws SensorParseError naming the offending field. */
export function parseSensorLine(line: string): SensorLine {
  let record: unknown;
  try {
    record = JSON.parse(line);
  } catch (error) {
    throw new SensorParseError(`invalid JSON (${(error as Error).message})`, line);
  }
  if (typeof record !== 'object' || record === null || Array.isArray(record)) {
    throw new SensorParseError('expected a JSON object', line);
  }
  const fields = new Fields(record as Json, line);
  return parseRecord(fields.str('k'), fields, line);
}

/**
 * Undo the sensor's escaping of non-UTF-8 bytes (each became U+DC00 + byte, Python's
 * "surrogateescape"), for callers that need the exact bytes of a path or argument.
 */
export function sensorStringToBytes(value: string): Buffer {
  const chunks: Buffer[] = [];
  let text = '';
  for (const char of value) {
    const code = char.codePointAt(0) ?? 0;
    if (code >= 0xdc80 && code <= 0xdcff) {
      chunks.push(Buffer.from(text, 'utf8'), Buffer.from([code - 0xdc00]));
      text = '';
    } else {
      text += char;
    }
  }
  chunks.push(Buffer.from(text, 'utf8'));
  return Buffer.concat(chunks);
}
