import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { cgroupPathsOf, containerFromCgroupPath } from './cgroup';

const ID = '4f3c2b1a09e8d7c6b5a4f3e2d1c0b9a8f7e6d5c4b3a2f1e0d9c8b7a6f5e4d3c2';

describe('containerFromCgroupPath', () => {
  it.each([
    [`/kubepods/besteffort/pod0b4e1c5e-2f5a-4c1b-9d1e-123456789abc/${ID}`, 'cri'],
    [`/kubepods/pod0b4e1c5e-2f5a-4c1b-9d1e-123456789abc/${ID}`, 'cri'],
    [
      `/kubepods.slice/kubepods-burstable.slice/kubepods-burstable-pod0b4e1c5e_2f5a.slice/cri-containerd-${ID}.scope`,
      'cri',
    ],
    [`/system.slice/cri-containerd-${ID}.scope`, 'cri'],
    [`/kubepods.slice/kubepods-pod1.slice/crio-${ID}.scope`, 'cri'],
    [`/docker/${ID}`, 'docker'],
    [`/system.slice/docker-${ID}.scope`, 'docker'],
  ])('finds the container id in %s', (cgroupPath, flavor) => {
    expect(containerFromCgroupPath(cgroupPath)).toEqual({ id: ID, flavor });
  });

  it('finds the container of a process in a nested cgroup under the container', () => {
    expect(containerFromCgroupPath(`/docker/${ID}/worker`)).toEqual({ id: ID, flavor: 'docker' });
  });

  it.each([
    '/',
    '/system.slice/containerd.service',
    '/user.slice/user-0.slice/session-1.scope',
    '/kubepods/besteffort/pod0b4e1c5e-2f5a-4c1b-9d1e-123456789abc',
    `/docker/${ID.slice(0, 12)}`,
  ])('sees no container in host cgroup %s', (cgroupPath) => {
    expect(containerFromCgroupPath(cgroupPath)).toBeNull();
  });
});

describe('cgroupPathsOf', () => {
  it('reads the v2 path and every v1 hierarchy of a hybrid host', () => {
    const proc = fs.mkdtempSync(path.join(os.tmpdir(), 'driftlock-proc-'));
    fs.mkdirSync(path.join(proc, '42'));
    fs.writeFileSync(
      path.join(proc, '42', 'cgroup'),
      `9:name=systemd:/\n4:memory:/docker/${ID}\n1:cpu:/\n0::/docker/${ID}\n`,
    );
    try {
      expect(cgroupPathsOf(proc, 42)).toEqual({
        v2: `/docker/${ID}`,
        all: ['/', `/docker/${ID}`, '/', `/docker/${ID}`],
      });
    } finally {
      fs.rmSync(proc, { recursive: true, force: true });
    }
  });

  it('reads the cgroup of this very process', () => {
    expect(cgroupPathsOf('/proc', process.pid).all.length).toBeGreaterThan(0);
  });
});
