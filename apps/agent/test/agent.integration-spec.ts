import { execFileSync } from 'child_process';
import { createHash } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { PolicyDocument, PROTOCOL_VERSION, ThreatReport } from '@driftlock/protocol';
import { saveCredentials } from '../src/transport/enroll';
import { AgentProcess, REPO } from './support/agent-process';
import { AgentServer } from './support/agent-server';
import { acquireHostLock } from './support/host-lock';
import { OverlayContainer } from './support/overlay-container';

/**
 * The whole agent against the real kernel sensor: a container made of a real overlay root and
 * a real cgroup (the layout Docker uses), the agent CLI as a child process, and a WebSocket
 * server in the test standing in for the driftlock server.
 */
const AGENT_ID = '3c6f2a1b-8d4e-4f5a-9b6c-7d8e9f0a1b2c';
const PROTECT: PolicyDocument = {
  version: 1,
  default: { enabled: true, mode: 'protect' },
  overrides: [],
  exceptions: [],
};

function sha256(file: string): string {
  return createHash('sha256').update(fs.readFileSync(file)).digest('hex');
}

describe('driftlock agent on the real sensor', () => {
  let container: OverlayContainer;
  let server: AgentServer;
  let port: number;
  let stateDir: string;
  let agent: AgentProcess;

  let releaseLock: (() => void) | undefined;

  beforeAll(async () => {
    releaseLock = await acquireHostLock();
    execFileSync('make', ['-C', path.join(REPO, 'bpf'), '--quiet', 'sensor', 'test-fixtures'], {
      stdio: 'inherit',
    });
    stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftlock-agent-state-'));
    server = new AgentServer();
    const url = await server.listen();
    port = Number(new URL(url).port);
    saveCredentials(path.join(stateDir, 'credentials.json'), {
      server: url,
      agentId: AGENT_ID,
      secret: 'secret',
    });
    agent = new AgentProcess(stateDir);
    agent.start();
    await server.until(() => server.ofType('hello').length === 1, 30_000);
    server.send({ v: PROTOCOL_VERSION, type: 'policy', policy: PROTECT });
    await server.until(() => server.ofType('policy_applied').length === 1);

    container = new OverlayContainer();
    container.useCgroup();
    await container.start();
    await agent.modeSet(container.id, 'protect');
  }, 60_000);

  afterAll(async () => {
    try {
      await agent?.kill('SIGTERM');
      await container?.destroy();
      await server?.close();
      fs.rmSync(stateDir, { recursive: true, force: true });
    } finally {
      releaseLock?.();
    }
  });

  function threats(): ThreatReport[] {
    return [...server.stored.values()].flatMap((m) => (m.type === 'threat' ? [m.threat] : []));
  }

  /** Starts busybox copied to /tmp/<dir>/sleep as `sleep 120` in the background; its pid. */
  async function startHiddenSleep(dir: string): Promise<number> {
    // the shell opens /dev/null for a background job's stdin
    if (!fs.existsSync(path.join(container.merged, 'dev/null'))) {
      fs.mkdirSync(path.join(container.merged, 'dev'), { recursive: true });
      execFileSync('mknod', ['-m', '666', path.join(container.merged, 'dev/null'), 'c', '1', '3']);
    }
    const started = await container.run(
      `cd /tmp && /bin/busybox mkdir ${dir} && /bin/busybox cp /bin/busybox ${dir}/sleep && (./${dir}/sleep 120 >/tmp/${dir}/log 2>&1 & echo $!)`,
    );
    return Number(started.stdout.trim());
  }

  function isRunning(pid: number): boolean {
    try {
      return !/^State:\s+Z/m.test(fs.readFileSync(`/proc/${pid}/status`, 'utf8'));
    } catch {
      return false;
    }
  }

  it('kills a downloaded binary before it runs, quarantines it and reports the threat with its storyline', async () => {
    const before = threats().length;
    const session = await container.run(
      'cd /tmp && /bin/busybox cp /bin/busybox minerd && /bin/busybox chmod +x minerd && ./minerd touch /tmp/ran; echo "exit=$?"',
    );
    expect(session.stdout.trim()).toBe('exit=137');
    expect(fs.existsSync(path.join(container.merged, 'tmp/ran'))).toBe(false);

    await server.until(() => threats().length > before);
    const threat = threats()[before];
    expect(threat).toMatchObject({
      driftClass: 'new_binary',
      mode: 'protect',
      commandLine: './minerd touch /tmp/ran',
      file: { path: '/tmp/minerd', sha256: sha256('/usr/bin/busybox') },
      container: { id: container.id },
    });
    expect(threat.mitigations.map((m) => [m.action, m.outcome, m.killedInKernel])).toEqual([
      ['kill', 'succeeded', true],
      ['quarantine', 'succeeded', false],
    ]);
    const quarantineId = threat.mitigations[1].quarantineId as string;
    expect(sha256(path.join(stateDir, 'quarantine', `${quarantineId}.bin`))).toBe(
      threat.file.sha256,
    );
    expect(fs.existsSync(path.join(container.merged, 'tmp/minerd'))).toBe(false);

    const commands = threat.storyline.processes.map((p) => p.args.join(' '));
    expect(commands).toEqual(
      expect.arrayContaining([
        '/bin/busybox cp /bin/busybox minerd',
        '/bin/busybox chmod +x minerd',
        './minerd touch /tmp/ran',
      ]),
    );
    const miner = threat.storyline.processes.find((p) => p.processId === threat.processId);
    expect(miner?.flags).toEqual(expect.arrayContaining(['upper_layer', 'killed_in_kernel']));
  });

  it('kills a new script run through the image shell from user space, with what it started', async () => {
    const before = threats().length;
    const started = Date.now();
    const session = await container.run(
      'printf \'/bin/busybox sleep 5\\n/bin/busybox touch /tmp/script-ran\\n\' > /tmp/x.sh && sh /tmp/x.sh; echo "exit=$?"',
    );
    expect(session.stdout.trim()).toBe('exit=137');
    // The session ends only once the script's `sleep 5` let go of its stdout: killed as well.
    expect(Date.now() - started).toBeLessThan(4000);
    expect(fs.existsSync(path.join(container.merged, 'tmp/script-ran'))).toBe(false);
    await server.until(() => threats().length > before);
    const threat = threats()[before];
    expect(threat).toMatchObject({
      driftClass: 'script_via_interpreter',
      file: { path: '/tmp/x.sh' },
    });
    expect(threat.mitigations.map((m) => [m.action, m.outcome, m.killedInKernel])).toEqual([
      ['kill', 'succeeded', false],
      ['quarantine', 'succeeded', false],
    ]);
    expect(threat.mitigations[0].detail).toMatch(/^SIGKILL sent from user space/);
    expect(fs.existsSync(path.join(container.merged, 'tmp/x.sh'))).toBe(false);
  });

  it('kills an image binary overwritten in place and calls it modified', async () => {
    const before = threats().length;
    const session = await container.run(
      '/bin/busybox cp /bin/busybox /bin/ls && /bin/ls /; echo "exit=$?"',
    );
    expect(session.stdout.trim()).toBe('exit=137');
    await server.until(() => threats().length > before);
    expect(threats()[before]).toMatchObject({
      driftClass: 'modified_binary',
      file: { path: '/bin/ls' },
    });
  });

  it('kills a program run from a memfd and calls it fileless', async () => {
    const before = threats().length;
    const runner = path.join(REPO, 'bpf', 'build', 'test', 'exec-runner');
    const output = execFileSync(
      runner,
      [
        '--cgroup',
        container.cgroupDir as string,
        '--root',
        container.merged,
        '--memfd',
        '--count',
        '1',
        '--',
        '/usr/bin/busybox',
        'true',
      ],
      { encoding: 'utf8' },
    );
    expect(output).toContain('"signals":{"9":1}');
    await server.until(() => threats().length > before);
    const threat = threats()[before];
    expect(threat.driftClass).toBe('fileless');
    expect(threat.mitigations).toMatchObject([
      { action: 'kill', outcome: 'succeeded', killedInKernel: true },
      {
        action: 'quarantine',
        outcome: 'skipped',
        detail: 'fileless: nothing on disk to quarantine',
      },
    ]);
  });

  it('lets image binaries and inline shell code run', async () => {
    const before = server.received.filter((m) => m.type === 'threat').length;
    const session = await container.run(
      '/bin/busybox ls / > /tmp/ls.out && sh -c "echo hi" && /bin/busybox true; echo "exit=$?"',
    );
    expect(session.stdout.trim()).toBe('hi\nexit=0');
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(server.received.filter((m) => m.type === 'threat').length).toBe(before);
  });

  it('lets a file the policy excepts by path run in protect mode', async () => {
    fs.mkdirSync(path.join(container.merged, 'tmp/allowed'));
    fs.copyFileSync('/usr/bin/busybox', path.join(container.merged, 'tmp/allowed/echo'));
    fs.chmodSync(path.join(container.merged, 'tmp/allowed/echo'), 0o755);
    const exception = {
      id: '7a1b2c3d-4e5f-4a6b-8c7d-9e0f1a2b3c4d',
      sha256: null,
      path: '/tmp/allowed/echo',
      comment: 'build tool',
      createdAt: new Date().toISOString(),
    };
    server.send({
      v: PROTOCOL_VERSION,
      type: 'policy',
      policy: { ...PROTECT, version: 2, exceptions: [exception] },
    });
    await server.until(() => server.ofType('policy_applied').some((m) => m.version === 2));
    const before = threats().length;

    const session = await container.run('/tmp/allowed/echo allowed; echo "exit=$?"');
    expect(session.stdout.trim()).toBe('allowed\nexit=0');
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(threats()).toHaveLength(before);
  });

  it('finds drift already running when Application Control comes on: reported in detect mode, killed in protect mode', async () => {
    let version = 10;
    const setPolicy = async (enabled: boolean, mode: 'detect' | 'protect') => {
      version += 1;
      server.send({
        v: PROTOCOL_VERSION,
        type: 'policy',
        policy: { ...PROTECT, version, default: { enabled, mode } },
      });
      await agent.modeSet(container.id, enabled ? mode : 'off');
    };
    // Unwatched: a downloaded program starts and keeps running (busybox named after the applet
    // it should run, hidden the way miners hide).
    await setPolicy(false, 'protect');
    const pid = await startHiddenSleep('.cache');
    expect(isRunning(pid)).toBe(true);
    const before = threats().length;

    await setPolicy(true, 'detect');
    await server.until(() => threats().length > before);
    expect(threats()[before]).toMatchObject({
      driftClass: 'new_binary',
      mode: 'detect',
      commandLine: './.cache/sleep 120',
      file: { path: '/tmp/.cache/sleep' },
      container: { id: container.id },
    });
    expect(threats()[before].mitigations.map((m) => [m.action, m.outcome])).toEqual([
      ['none', 'skipped'],
    ]);
    expect(isRunning(pid)).toBe(true);

    await setPolicy(false, 'protect');
    await setPolicy(true, 'protect');
    await server.until(() => threats().length > before + 1);
    const killed = threats()[before + 1];
    expect(killed).toMatchObject({ driftClass: 'new_binary', mode: 'protect' });
    expect(killed.mitigations.map((m) => [m.action, m.outcome, m.killedInKernel])).toEqual([
      ['kill', 'succeeded', false],
      ['quarantine', 'succeeded', false],
    ]);
    expect(isRunning(pid)).toBe(false);
    expect(fs.existsSync(path.join(container.merged, 'tmp/.cache/sleep'))).toBe(false);
    // The image's own long-running process (the container's sleep) was judged and left alone.
    expect(threats()).toHaveLength(before + 2);
  });

  it('says what it is doing through `status`', async () => {
    const cli = [
      path.join(__dirname, 'support', 'register-ts.js'),
      path.join(__dirname, '..', 'src', 'main.ts'),
    ];
    const output = execFileSync(
      process.execPath,
      ['-r', ...cli, 'status', '--state-dir', stateDir],
      { encoding: 'utf8' },
    );
    expect(output).toMatch(/^driftlock-agent [\d.]+: running \(pid \d+/);
    expect(output).toContain(`agent id         ${AGENT_ID}`);
    expect(output).toMatch(/server +http:\/\/127\.0\.0\.1:\d+ \(connected\)/);
  });

  it('delivers threats queued while the server was down exactly once, across an agent SIGKILL', async () => {
    const before = threats().length;
    await server.close();
    const offline = new AgentServer();
    server = offline;

    const first = await container.run(
      'cd /tmp && /bin/busybox cp /bin/busybox miner1 && ./miner1 true; echo "exit=$?"',
    );
    expect(first.stdout.trim()).toBe('exit=137');
    await agent.until(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('drift: ./miner1'),
      'the miner1 threat',
    );
    await agent.kill('SIGKILL');

    agent = new AgentProcess(stateDir);
    agent.start();
    // The policy saved by the first run protects the running container before any server answers.
    await agent.modeSet(container.id, 'protect');
    const second = await container.run(
      'cd /tmp && /bin/busybox cp /bin/busybox miner2 && ./miner2 true; echo "exit=$?"',
    );
    expect(second.stdout.trim()).toBe('exit=137');
    await agent.until(
      (l) => typeof l.msg === 'string' && l.msg.startsWith('drift: ./miner2'),
      'the miner2 threat',
    );

    await server.listen(port);
    await server.until(() => threats().length >= 2 && server.ofType('hello').length >= 1);
    await new Promise((resolve) => setTimeout(resolve, 500));
    const received = server.ofType('threat').map((m) => m.threat.commandLine);
    expect(received).toEqual(['./miner1 true', './miner2 true']);
    expect(threats()).toHaveLength(2);
    expect(before).toBeGreaterThan(0);
  });

  it('kills drift started while the agent was down, found by its start-up scan', async () => {
    const before = threats().length;
    await agent.kill('SIGKILL');
    // No agent, no sensor: nothing stops it now.
    const pid = await startHiddenSleep('.hidden');
    expect(isRunning(pid)).toBe(true);

    agent = new AgentProcess(stateDir);
    agent.start();
    await agent.modeSet(container.id, 'protect');
    await server.until(() => threats().length > before);
    const threat = threats()[before];
    expect(threat).toMatchObject({
      driftClass: 'new_binary',
      mode: 'protect',
      commandLine: './.hidden/sleep 120',
      file: { path: '/tmp/.hidden/sleep' },
      container: { id: container.id },
    });
    expect(threat.mitigations.map((m) => [m.action, m.outcome, m.killedInKernel])).toEqual([
      ['kill', 'succeeded', false],
      ['quarantine', 'succeeded', false],
    ]);
    expect(isRunning(pid)).toBe(false);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(threats()).toHaveLength(before + 1);
  });

  it('enrolls itself on first start from the token in its environment, the DaemonSet way', async () => {
    const freshState = fs.mkdtempSync(path.join(os.tmpdir(), 'driftlock-agent-enroll-'));
    const agentId = '8e9f0a1b-2c3d-4e5f-9a0b-1c2d3e4f5a6b';
    server.enrollment = { token: 'dl_enroll_token', agentId, secret: 'fresh-secret' };
    const url = `http://127.0.0.1:${port}`;
    const second = new AgentProcess(freshState, {
      DRIFTLOCK_SERVER: url,
      DRIFTLOCK_ENROLL_TOKEN: 'dl_enroll_token',
    });
    second.start();
    try {
      await server.until(
        () => server.authorizations.includes(`Bearer ${agentId}.fresh-secret`),
        30_000,
      );
      const credentials = path.join(freshState, 'credentials.json');
      expect(fs.statSync(credentials).mode & 0o777).toBe(0o600);
      expect(JSON.parse(fs.readFileSync(credentials, 'utf8'))).toMatchObject({
        server: url,
        agentId,
      });
    } finally {
      await second.kill('SIGTERM');
      fs.rmSync(freshState, { recursive: true, force: true });
    }
  });
});
