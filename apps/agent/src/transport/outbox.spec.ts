import { spawn } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { AgentServer } from '../../test/support/agent-server';
import { sampleThreat } from '../../test/support/fixtures';
import { ServerConnection } from './connection';
import { Outbox } from './outbox';

const SUPPORT = path.join(__dirname, '..', '..', 'test', 'support');
const AGENT_ID = '6f1c1a52-59c8-4a3c-9d7e-3f0f5e0c0a11';

/** Runs the writer in a child process and SIGKILLs it once `count` threats were reported durable. */
async function killWriterAfter(dir: string, count: number): Promise<number> {
  const child = spawn(
    process.execPath,
    ['-r', path.join(SUPPORT, 'register-ts.js'), path.join(SUPPORT, 'outbox-writer.ts'), dir],
    {
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let durable = 0;
  await new Promise<void>((resolve, reject) => {
    child.stdout.on('data', (chunk: Buffer) => {
      const numbers = chunk.toString().trim().split('\n').map(Number);
      durable = Math.max(durable, ...numbers);
      if (durable >= count) {
        child.kill('SIGKILL');
        resolve();
      }
    });
    child.on('exit', (code) => {
      if (durable < count)
        reject(new Error(`outbox writer exited early (code ${code}): ${stderr}`));
    });
  });
  await new Promise((resolve) => child.once('close', resolve));
  return durable;
}

function connect(outbox: Outbox, server: string): ServerConnection {
  return new ServerConnection(
    { server, agentId: AGENT_ID, secret: 'secret' },
    outbox,
    {
      hello: () => ({
        agent: {
          version: 'test',
          hostname: 'node-1',
          kind: 'linux',
          cluster: null,
          node: null,
          kernel: os.release(),
        },
        capabilities: { inKernelKill: true, btf: true, runtimes: [] },
        policyVersion: null,
      }),
      stats: () => ({
        eventsSeen: 0,
        eventsDropped: 0,
        threats: 0,
        outboxLength: outbox.length,
        rssBytes: 0,
        cpuPercent: 0,
        containers: 0,
        policyVersion: null,
      }),
      onPolicy: async () => undefined,
      onCommand: async () => ({ outcome: 'succeeded', detail: '' }),
      log: () => undefined,
    },
    { heartbeatMs: 60_000, initialBackoffMs: 20, maxBackoffMs: 100, window: 16 },
  );
}

describe('Outbox', () => {
  let dir: string;
  beforeEach(() => (dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftlock-outbox-'))));
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('keeps every threat a SIGKILLed writer stored, and delivers each exactly once in order', async () => {
    const durable = await killWriterAfter(dir, 200);

    const outbox = Outbox.open(dir, { maxEventBatches: 10 });
    const pending = [...outbox.pending()];
    const numbers = pending.map((m) =>
      m.type === 'threat' ? Number(m.threat.threatId.split('-')[1]) : -1,
    );
    // Everything reported durable is there; at most the one being written when killed is extra.
    expect(numbers.slice(0, durable)).toEqual(Array.from({ length: durable }, (_, i) => i + 1));
    expect(numbers.length - durable).toBeLessThanOrEqual(1);
    expect(fs.readdirSync(dir).filter((name) => name.includes('.tmp'))).toEqual([]);

    const server = new AgentServer();
    const connection = connect(outbox, await server.listen());
    connection.start();
    try {
      await server.until(() => outbox.length === 0);
      const threats = server.ofType('threat').map((m) => m.threat.threatId);
      expect(threats).toEqual(numbers.map((n) => `threat-${n}`));
      expect(new Set(threats).size).toBe(threats.length);
      expect(server.authorizations[0]).toBe(`Bearer ${AGENT_ID}.secret`);
    } finally {
      await connection.stop();
      await server.close();
    }
    expect(Outbox.open(dir, { maxEventBatches: 10 }).length).toBe(0);
  });

  it('never reuses a sequence number after a restart, even once everything was acked', () => {
    const first = Outbox.open(dir, { maxEventBatches: 10 });
    const a = first.append({ type: 'policy_applied', version: 1 });
    first.ack(a!.seq);
    const second = Outbox.open(dir, { maxEventBatches: 10 });
    const b = second.append({ type: 'policy_applied', version: 2 });
    expect(b!.seq).toBeGreaterThan(a!.seq);
  });

  it('drops process event batches beyond its cap but never a threat', () => {
    const outbox = Outbox.open(dir, { maxEventBatches: 2 });
    const batch = {
      type: 'process_events' as const,
      events: [
        {
          kind: 'exit' as const,
          eventId: 'e1',
          processId: 'p1',
          storylineId: 's1',
          exitedAt: new Date().toISOString(),
          exitCode: 0,
          signal: null,
        },
      ],
    };
    expect(outbox.append(batch)).not.toBeNull();
    expect(outbox.append(batch)).not.toBeNull();
    expect(outbox.append(batch)).toBeNull();
    expect(outbox.append({ type: 'threat', threat: sampleThreat(1) })).not.toBeNull();
    expect([outbox.length, outbox.dropped]).toEqual([3, 1]);
  });
});
