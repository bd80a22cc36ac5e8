import { createHash, randomBytes } from 'crypto';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { QuarantineStore } from './quarantine';

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

describe('QuarantineStore', () => {
  let dir: string;
  let store: QuarantineStore;
  let container: string;

  beforeEach(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'driftlock-quarantine-'));
    container = path.join(dir, 'container-root');
    fs.mkdirSync(path.join(container, 'tmp'), { recursive: true });
    store = new QuarantineStore(path.join(dir, 'store'));
    await store.init();
  });

  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('moves a file into quarantine and restores the exact bytes, mode and owner', async () => {
    const original = path.join(container, 'tmp/minerd');
    const content = randomBytes(3 * 1024 * 1024 + 17);
    fs.writeFileSync(original, content);
    fs.chownSync(original, 1234, 5678);
    fs.chmodSync(original, 0o4751);

    const record = await store.quarantine({
      threatId: 'threat-1',
      containerId: 'c1',
      path: '/tmp/minerd',
      sources: [path.join(container, 'missing'), original],
    });

    expect(fs.existsSync(original)).toBe(false);
    expect(record).toMatchObject({
      path: '/tmp/minerd',
      sourcePath: original,
      sha256: sha256(content),
      size: content.length,
      mode: 0o4751,
      uid: 1234,
      gid: 5678,
    });
    const stored = path.join(store.dir, `${record.quarantineId}.bin`);
    expect(fs.statSync(stored).mode & 0o7777).toBe(0o600);
    expect(sha256(fs.readFileSync(stored))).toBe(record.sha256);
    expect(fs.statSync(store.dir).mode & 0o777).toBe(0o700);
    expect(await store.list()).toEqual([record]);

    await store.restore(record.quarantineId, original);

    expect(fs.readFileSync(original).equals(content)).toBe(true);
    const restored = fs.statSync(original);
    expect(restored.mode & 0o7777).toBe(0o4751);
    expect([restored.uid, restored.gid]).toEqual([1234, 5678]);
    expect(await store.list()).toEqual([]);
  });

  it('does not overwrite a file that took the original path since', async () => {
    const original = path.join(container, 'tmp/x.sh');
    fs.writeFileSync(original, 'echo drift\n', { mode: 0o755 });
    const record = await store.quarantine({
      threatId: null,
      containerId: null,
      path: '/tmp/x.sh',
      sources: [original],
    });
    fs.writeFileSync(original, 'newer file');

    await expect(store.restore(record.quarantineId, original)).rejects.toThrow(
      `quarantine: cannot restore /tmp/x.sh to ${original}: ${original} exists`,
    );
    expect(fs.readFileSync(original, 'utf8')).toBe('newer file');
    expect((await store.get(record.quarantineId)).sha256).toBe(record.sha256);
  });

  it('refuses to restore a stored copy whose bytes changed', async () => {
    const original = path.join(container, 'tmp/a');
    fs.writeFileSync(original, 'original bytes');
    const record = await store.quarantine({
      threatId: null,
      containerId: null,
      path: '/tmp/a',
      sources: [original],
    });
    fs.appendFileSync(path.join(store.dir, `${record.quarantineId}.bin`), 'tampered');

    await expect(store.restore(record.quarantineId, original)).rejects.toThrow(
      /stored copy .* is corrupt/,
    );
    expect(fs.existsSync(original)).toBe(false);
  });

  it('keeps the original when it cannot be read, and says which paths it tried', async () => {
    const missing = path.join(container, 'tmp/gone');
    await expect(
      store.quarantine({
        threatId: null,
        containerId: null,
        path: '/tmp/gone',
        sources: [missing],
      }),
    ).rejects.toThrow(`quarantine: cannot move /tmp/gone: ${missing}: ENOENT`);
    expect(fs.readdirSync(store.dir)).toEqual([]);
  });

  it('does not follow a symlink planted where the file was', async () => {
    const link = path.join(container, 'tmp/link');
    fs.writeFileSync(path.join(dir, 'host-secret'), 'secret');
    fs.symlinkSync(path.join(dir, 'host-secret'), link);
    await expect(
      store.quarantine({ threatId: null, containerId: null, path: '/tmp/link', sources: [link] }),
    ).rejects.toThrow(/ELOOP/);
    expect(fs.readFileSync(path.join(dir, 'host-secret'), 'utf8')).toBe('secret');
  });

  it('deletes a quarantined file for good', async () => {
    const original = path.join(container, 'tmp/b');
    fs.writeFileSync(original, 'bytes');
    const record = await store.quarantine({
      threatId: null,
      containerId: null,
      path: '/tmp/b',
      sources: [original],
    });
    await store.delete(record.quarantineId);
    expect(fs.readdirSync(store.dir)).toEqual([]);
    await expect(store.get(record.quarantineId)).rejects.toThrow(
      `quarantine: no quarantined file ${record.quarantineId}: ENOENT`,
    );
  });
});
