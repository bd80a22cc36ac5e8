import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import type { ProcessNode, Storyline } from '@driftlock/protocol';
import { userNamesAt, withUserNames } from './users';

function fakeProc(entries: Record<number, string | null>): string {
  const root = fs.mkdtempSync(path.join(os.tmpdir(), 'driftlock-proc-'));
  for (const [pid, passwd] of Object.entries(entries)) {
    const etc = path.join(root, pid, 'root', 'etc');
    fs.mkdirSync(etc, { recursive: true });
    if (passwd !== null) fs.writeFileSync(path.join(etc, 'passwd'), passwd);
  }
  return root;
}

const node = (processId: string, uid: number, containerId: string | null): ProcessNode => ({
  processId,
  parentProcessId: null,
  storylineId: 's',
  pid: 1,
  ppid: 0,
  exe: '/bin/sh',
  args: ['sh'],
  argsTruncated: false,
  cwd: null,
  uid,
  user: null,
  startedAt: '2026-12-04T10:00:00.000Z',
  exitedAt: null,
  exitCode: null,
  signal: null,
  flags: [],
  containerId,
  origin: null,
});

describe('user names in a storyline', () => {
  it('reads uid -> name from the passwd file under a process root, first entry winning', () => {
    const proc = fakeProc({
      42: 'root:x:0:0::/root:/bin/sh\nwww-data:x:33:33::/var/www:/bin/false\ntoor:x:0:0::/:/bin/sh\n# junk\n',
    });
    const names = userNamesAt(proc, 42);
    expect(names.get(0)).toBe('root');
    expect(names.get(33)).toBe('www-data');
    expect(names.size).toBe(2);
  });

  it('returns no names for a process that is gone or an image without passwd', () => {
    const proc = fakeProc({ 7: null });
    expect(userNamesAt(proc, 7).size).toBe(0);
    expect(userNamesAt(proc, 999).size).toBe(0);
  });

  it("names container processes from the container's passwd and the rest from the host's", () => {
    const storyline: Storyline = {
      storylineId: 's',
      origin: 'kubectl_exec',
      processes: [node('shim', 0, null), node('app', 33, 'c1'), node('unknown', 1234, 'c1')],
    };
    const named = withUserNames(
      storyline,
      'c1',
      new Map([[33, 'www-data']]),
      new Map([
        [0, 'root'],
        [33, 'host-33'],
      ]),
    );
    expect(named.processes.map((p) => p.user)).toEqual(['root', 'www-data', null]);
  });
});
