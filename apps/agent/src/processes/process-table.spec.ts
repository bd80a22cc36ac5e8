import { ProcessEvent } from '@driftlock/protocol';
import { ContainerRef, ExecInput, ProcessTable } from './process-table';

const POD: ContainerRef = { id: 'a'.repeat(64), flavor: 'cri' };
const DOCKER: ContainerRef = { id: 'd'.repeat(64), flavor: 'docker' };

/** A small host: init, containerd, one CRI shim and one Docker shim. */
function hostTable(maxExited = 1000): { table: ProcessTable; at: () => number } {
  const table = new ProcessTable({ maxExited, idPrefix: 'b1' });
  let clock = 1_700_000_000_000;
  const at = () => (clock += 10);
  const base = { argsTruncated: false, cwd: '/', uid: 0, flags: [], container: null };
  table.exec({ ...base, pid: 1, ppid: 0, timeMs: at(), exe: '/sbin/init', args: ['/sbin/init'] });
  table.fork({ pid: 100, ppid: 1, timeMs: at() });
  table.exec({
    ...base,
    pid: 100,
    ppid: 1,
    timeMs: at(),
    exe: '/usr/bin/containerd',
    args: ['containerd'],
  });
  table.fork({ pid: 200, ppid: 1, timeMs: at() });
  table.exec({
    ...base,
    pid: 200,
    ppid: 1,
    timeMs: at(),
    exe: '/usr/bin/containerd-shim-runc-v2',
    args: [
      '/usr/bin/containerd-shim-runc-v2',
      '-namespace',
      'k8s.io',
      '-id',
      'sandbox',
      '-address',
      '/run/containerd/containerd.sock',
    ],
  });
  table.fork({ pid: 300, ppid: 1, timeMs: at() });
  table.exec({
    ...base,
    pid: 300,
    ppid: 1,
    timeMs: at(),
    exe: '/usr/bin/containerd-shim-runc-v2',
    args: [
      '/usr/bin/containerd-shim-runc-v2',
      '-namespace',
      'moby',
      '-id',
      'x',
      '-address',
      '/run/containerd/containerd.sock',
    ],
  });
  return { table, at };
}

/** What runc does for a container start or an exec: fork off the shim, exec the workload. */
function runcStarts(
  table: ProcessTable,
  at: () => number,
  shimPid: number,
  pid: number,
  container: ContainerRef,
  exe: string,
  args: string[],
) {
  table.fork({ pid, ppid: shimPid, timeMs: at() });
  return table.exec(execInput(pid, shimPid, at(), exe, args, container));
}

function execInput(
  pid: number,
  ppid: number,
  timeMs: number,
  exe: string,
  args: string[],
  container: ContainerRef | null,
): ExecInput {
  return {
    pid,
    ppid,
    timeMs,
    exe,
    args,
    argsTruncated: false,
    cwd: '/',
    uid: 0,
    flags: [],
    container,
  };
}

/** A shell's child: fork then exec. */
function child(
  table: ProcessTable,
  at: () => number,
  ppid: number,
  pid: number,
  exe: string,
  args: string[],
  container: ContainerRef | null,
) {
  table.fork({ pid, ppid, timeMs: at() });
  return table.exec(execInput(pid, ppid, at(), exe, args, container));
}

describe('ProcessTable storylines', () => {
  it('starts a container_start storyline for the container init', () => {
    const { table, at } = hostTable();
    const init = runcStarts(table, at, 200, 1000, POD, '/app/server', ['/app/server']);
    expect(init.origin).toBe('container_start');
    expect(init.storylineId).not.toBe(table.livePid(200)?.storylineId);
    expect(init.containerId).toBe(POD.id);
  });

  it('starts a kubectl_exec storyline for a session in a running CRI container', () => {
    const { table, at } = hostTable();
    const init = runcStarts(table, at, 200, 1000, POD, '/app/server', ['/app/server']);
    const bash = runcStarts(table, at, 200, 2000, POD, '/bin/bash', ['bash']);
    expect(bash.origin).toBe('kubectl_exec');
    expect(bash.storylineId).not.toBe(init.storylineId);
  });

  it('starts a docker_exec storyline for a session the moby shim starts', () => {
    const { table, at } = hostTable();
    runcStarts(table, at, 300, 1000, DOCKER, '/bin/sleep', ['sleep', 'inf']);
    const sh = runcStarts(table, at, 300, 2000, DOCKER, '/bin/sh', ['sh']);
    expect(sh.origin).toBe('docker_exec');
  });

  it('labels a session by its container cgroup when the shim command line says nothing', () => {
    const { table, at } = hostTable();
    table.fork({ pid: 400, ppid: 1, timeMs: at() });
    table.exec(execInput(400, 1, at(), '/usr/sbin/runc', ['runc', 'exec'], null));
    runcStarts(table, at, 400, 1000, DOCKER, '/bin/sleep', ['sleep']);
    expect(runcStarts(table, at, 400, 2000, DOCKER, '/bin/sh', ['sh']).origin).toBe('docker_exec');
  });

  it('knows runc by its argv[0] after runc re-executed itself from a memfd', () => {
    const { table, at } = hostTable();
    runcStarts(table, at, 200, 1000, POD, '/app/server', ['/app/server']);
    table.fork({ pid: 500, ppid: 200, timeMs: at() });
    table.exec(
      execInput(
        500,
        200,
        at(),
        '/dev/fd/5',
        ['runc', '--root', '/run/containerd/runc/k8s.io', 'exec'],
        null,
      ),
    );
    table.fork({ pid: 501, ppid: 500, timeMs: at() });
    table.exec(execInput(501, 500, at(), '/dev/fd/5', ['runc', 'init'], null));
    const sh = table.exec(execInput(501, 500, at(), '/bin/sh', ['sh'], POD));
    expect(sh.origin).toBe('kubectl_exec');
  });

  it('still knows the runtime parent when its exit is reported just before the exec it started', () => {
    const { table, at } = hostTable();
    runcStarts(table, at, 200, 1000, POD, '/app/server', ['/app/server']);
    table.fork({ pid: 500, ppid: 200, timeMs: at() });
    table.exec(execInput(500, 200, at(), '/usr/sbin/runc', ['runc', 'exec'], null));
    table.fork({ pid: 501, ppid: 500, timeMs: at() });
    table.exit({ pid: 500, timeMs: at(), exitCode: 0, signal: null });
    expect(table.exec(execInput(501, 500, at(), '/bin/sh', ['sh'], POD)).origin).toBe(
      'kubectl_exec',
    );
  });

  it('keeps wget, chmod and the miner in the exec session storyline with the shell as parent', () => {
    const { table, at } = hostTable();
    runcStarts(table, at, 200, 1000, POD, '/app/server', ['/app/server']);
    const bash = runcStarts(table, at, 200, 2000, POD, '/bin/bash', ['bash']);
    const wget = child(
      table,
      at,
      2000,
      2001,
      '/usr/bin/wget',
      ['wget', 'http://127.0.0.1/minerd'],
      POD,
    );
    table.exit({ pid: 2001, timeMs: at(), exitCode: 0, signal: null });
    const chmod = child(table, at, 2000, 2002, '/bin/chmod', ['chmod', '+x', 'minerd'], POD);
    table.exit({ pid: 2002, timeMs: at(), exitCode: 0, signal: null });
    const miner = child(table, at, 2000, 2003, '/tmp/minerd', ['./minerd'], POD);

    for (const node of [wget, chmod, miner]) {
      expect(node.storylineId).toBe(bash.storylineId);
      expect(node.parentProcessId).toBe(bash.processId);
      expect(node.origin).toBeNull();
    }
    const storyline = table.storyline(bash.storylineId);
    expect(storyline.origin).toBe('kubectl_exec');
    expect(storyline.processes.map((p) => p.args[0])).toEqual([
      'bash',
      'wget',
      'chmod',
      './minerd',
    ]);
    expect(storyline.processes[1].exitCode).toBe(0);
  });

  it('lists the live descendants of a process, not its siblings', () => {
    const { table, at } = hostTable();
    runcStarts(table, at, 200, 1000, POD, '/app/server', ['/app/server']);
    runcStarts(table, at, 200, 2000, POD, '/bin/bash', ['bash']);
    const script = child(table, at, 2000, 2001, '/bin/sh', ['sh', '/tmp/x.sh'], POD);
    child(table, at, 2001, 2002, '/bin/sleep', ['sleep', '5'], POD);
    child(table, at, 2002, 2003, '/bin/sleep', ['sleep', '6'], POD);
    child(table, at, 2000, 2004, '/bin/cat', ['cat'], POD);
    expect(table.liveDescendants(script.processId).sort()).toEqual([2002, 2003]);
  });

  it('keeps the storyline when a session shell execs another program in place', () => {
    const { table, at } = hostTable();
    runcStarts(table, at, 200, 1000, POD, '/app/server', ['/app/server']);
    const bash = runcStarts(table, at, 200, 2000, POD, '/bin/bash', ['bash']);
    const replaced = table.exec(execInput(2000, 200, at(), '/tmp/minerd', ['/tmp/minerd'], POD));
    expect(replaced.storylineId).toBe(bash.storylineId);
    expect(replaced.parentProcessId).toBe(bash.processId);
    expect(replaced.processId).not.toBe(bash.processId);
  });

  it('keeps an init that execs again as the init, so a later session is an exec session', () => {
    const { table, at } = hostTable();
    const init = runcStarts(table, at, 200, 1000, POD, '/bin/sh', ['/bin/sh', '-c', 'exec httpd']);
    const httpd = table.exec(execInput(1000, 200, at(), '/bin/httpd', ['httpd', '-f'], POD));
    expect(httpd.storylineId).toBe(init.storylineId);
    expect(runcStarts(table, at, 200, 2000, POD, '/bin/sh', ['sh']).origin).toBe('kubectl_exec');
    const exited = table.exit({ pid: 1000, timeMs: at(), exitCode: 0, signal: null });
    expect(table.wasContainerInit(exited!)).toBe(true);
  });

  it('treats the next runtime child as the new init once the old init has exited', () => {
    const { table, at } = hostTable();
    runcStarts(table, at, 200, 1000, POD, '/app/server', ['/app/server']);
    table.exit({ pid: 1000, timeMs: at(), exitCode: 1, signal: null });
    const restarted = runcStarts(table, at, 200, 1100, POD, '/app/server', ['/app/server']);
    expect(restarted.origin).toBe('container_start');
  });

  it('keeps host processes in the host storyline of pid 1', () => {
    const { table, at } = hostTable();
    const init = table.livePid(1);
    const cron = child(table, at, 1, 50, '/usr/sbin/cron', ['cron'], null);
    expect(init?.origin).toBe('host');
    expect(cron.storylineId).toBe(init?.storylineId);
  });

  it('builds storylines from a start-up scan of processes that ran before the agent', () => {
    const table = new ProcessTable({ maxExited: 100, idPrefix: 'b2' });
    const shim = ['containerd-shim-runc-v2', '-namespace', 'k8s.io', '-id', 'x'];
    const scanned = (
      pid: number,
      ppid: number,
      startMs: number,
      exe: string,
      args: string[],
      container: ContainerRef | null,
    ) => execInput(pid, ppid, startMs, exe, args, container);
    table.loadScan([
      scanned(2000, 200, 5000, '/bin/sh', ['sh'], POD),
      scanned(1, 0, 1000, '/sbin/init', ['init'], null),
      scanned(200, 1, 2000, '/usr/bin/containerd-shim-runc-v2', shim, null),
      scanned(1000, 200, 3000, '/pause', ['/pause'], POD),
      scanned(2001, 2000, 6000, '/bin/sleep', ['sleep', '1'], POD),
    ]);
    expect(table.livePid(1000)?.origin).toBe('container_start');
    expect(table.livePid(2000)?.origin).toBe('kubectl_exec');
    expect(table.livePid(2001)?.storylineId).toBe(table.livePid(2000)?.storylineId);
  });
});

describe('ProcessTable memory', () => {
  it('forgets the oldest exited processes beyond its bound but keeps every live one', () => {
    const { table, at } = hostTable(50);
    runcStarts(table, at, 200, 1000, POD, '/app/server', ['/app/server']);
    const bash = runcStarts(table, at, 200, 2000, POD, '/bin/bash', ['bash']);
    for (let i = 0; i < 500; i++) {
      child(table, at, 2000, 10_000 + i, '/bin/true', ['true'], POD);
      table.exit({ pid: 10_000 + i, timeMs: at(), exitCode: 0, signal: null });
    }
    expect(table.size.exited).toBe(50);
    expect(table.livePid(2000)).toBe(bash);
    const storyline = table.storyline(bash.storylineId);
    expect(storyline.processes).toHaveLength(51);
    expect(storyline.processes[0].processId).toBe(bash.processId);
  });

  it('keeps no history of exited host processes', () => {
    const { table, at } = hostTable(50);
    for (let i = 0; i < 100; i++) {
      child(table, at, 1, 5000 + i, '/bin/true', ['true'], null);
      table.exit({ pid: 5000 + i, timeMs: at(), exitCode: 0, signal: null });
    }
    expect(table.size).toEqual({ live: 4, exited: 0 });
    expect(table.storyline(table.livePid(1)!.storylineId).processes).toHaveLength(4);
  });

  it('reports exec and exit events that the wire format accepts', () => {
    const { table, at } = hostTable();
    const init = runcStarts(table, at, 200, 1000, POD, '/app/server', ['/app/server']);
    expect(() => ProcessEvent.parse(table.execEvent(init))).not.toThrow();
    const exited = table.exit({ pid: 1000, timeMs: at(), exitCode: null, signal: 9 });
    expect(exited).not.toBeNull();
    expect(ProcessEvent.parse(table.exitEvent(exited!))).toMatchObject({ kind: 'exit', signal: 9 });
  });
});
