import { parseRootLayers } from './mountinfo';

describe('parseRootLayers', () => {
  const snapshots = '/var/lib/containerd/io.containerd.snapshotter.v1.overlayfs/snapshots';

  it('reads upperdir and the lower layers of an overlay root', () => {
    const mountinfo = [
      `1203 1150 0:123 / / rw,relatime master:1 - overlay overlay rw,lowerdir=${snapshots}/3/fs:${snapshots}/2/fs,upperdir=${snapshots}/9/fs,workdir=${snapshots}/9/work`,
      '1204 1203 0:125 / /proc rw,nosuid,nodev,noexec,relatime - proc proc rw',
    ].join('\n');
    expect(parseRootLayers(mountinfo)).toEqual({
      upperdir: `${snapshots}/9/fs`,
      lowerdirs: [`${snapshots}/3/fs`, `${snapshots}/2/fs`],
    });
  });

  it('decodes octal escapes in mountinfo paths', () => {
    const mountinfo =
      '30 1 0:40 / / rw - overlay overlay rw,lowerdir=/data/my\\040image,upperdir=/data/up\\040per,workdir=/data/w';
    expect(parseRootLayers(mountinfo)).toEqual({
      upperdir: '/data/up per',
      lowerdirs: ['/data/my image'],
    });
  });

  it('has no layers when the root is not an overlay', () => {
    expect(parseRootLayers('22 1 8:1 / / rw,relatime shared:1 - ext4 /dev/sda1 rw')).toBeNull();
  });

  it('takes the last root mount, which hides the ones before it', () => {
    const mountinfo = [
      '22 1 8:1 / / rw,relatime - ext4 /dev/sda1 rw',
      '900 22 0:50 / / rw - overlay overlay rw,lowerdir=/l,upperdir=/u,workdir=/w',
    ].join('\n');
    expect(parseRootLayers(mountinfo)).toEqual({ upperdir: '/u', lowerdirs: ['/l'] });
  });
});
