import { createHash, randomUUID } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { z } from 'zod';
import { isoTime, sha256Hex } from '@driftlock/protocol';

/** What the store keeps beside each quarantined file, enough to put it back exactly. */
export const QuarantineRecord = z.object({
  quarantineId: z.string(),
  threatId: z.string().nullable(),
  containerId: z.string().nullable(),
  /** The file's path as the container (or host) saw it. */
  path: z.string(),
  /** The host path it was taken from. */
  sourcePath: z.string(),
  sha256: sha256Hex,
  size: z.number().int().nonnegative(),
  /** Permission bits, setuid/setgid/sticky included. */
  mode: z.number().int().min(0).max(0o7777),
  uid: z.number().int().nonnegative(),
  gid: z.number().int().nonnegative(),
  quarantinedAt: isoTime,
});
export type QuarantineRecord = z.infer<typeof QuarantineRecord>;

export interface QuarantineRequest {
  threatId: string | null;
  containerId: string | null;
  path: string;
  /** Host paths that may hold the file, tried in order (process root, then upper layer). */
  sources: string[];
}

export class QuarantineError extends Error {
  constructor(message: string) {
    super(`quarantine: ${message}`);
    this.name = 'QuarantineError';
  }
}

const CHUNK = 1024 * 1024;

function code(error: unknown): string {
  return (error as NodeJS.ErrnoException).code ?? (error as Error).message;
}

/** sha256 and size of a file, read without following a final symlink. */
export async function hashFile(file: string): Promise<{ sha256: string; size: number }> {
  const handle = await fs.promises.open(file, fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW);
  try {
    const hash = createHash('sha256');
    const buffer = Buffer.allocUnsafe(CHUNK);
    let size = 0;
    for (;;) {
      const { bytesRead } = await handle.read(buffer, 0, CHUNK, null);
      if (bytesRead === 0) break;
      hash.update(buffer.subarray(0, bytesRead));
      size += bytesRead;
    }
    return { sha256: hash.digest('hex'), size };
  } finally {
    await handle.close();
  }
}

/** A rename is durable only once the directory holding it is synced. */
async function syncDir(dir: string): Promise<void> {
  const handle = await fs.promises.open(dir, fs.constants.O_RDONLY | fs.constants.O_DIRECTORY);
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

async function writeFileDurably(file: string, data: string | Buffer, mode: number): Promise<void> {
  const temporary = `${file}.tmp-${process.pid}`;
  const handle = await fs.promises.open(temporary, 'w', mode);
  try {
    await handle.writeFile(data);
    await handle.sync();
  } finally {
    await handle.close();
  }
  await fs.promises.rename(temporary, file);
  await syncDir(path.dirname(file));
}

/**
 * The agent's quarantine: each file is copied in (0600, hashed while copying, fsynced, hash
 * verified by reading the copy back) before the original is removed, so a crash at any point
 * leaves the file in at least one place.
 */
export class QuarantineStore {
  constructor(readonly dir: string) {}

  async init(): Promise<void> {
    await fs.promises.mkdir(this.dir, { recursive: true, mode: 0o700 });
    await fs.promises.chmod(this.dir, 0o700);
  }

  /** Moves a file into quarantine; the original is unlinked only after a verified copy. */
  async quarantine(request: QuarantineRequest): Promise<QuarantineRecord> {
    const quarantineId = randomUUID();
    const { handle, sourcePath } = await this.openSource(request);
    const stored = this.blobPath(quarantineId);
    let record: QuarantineRecord;
    let copied: fs.Stats;
    try {
      const stat = await handle.stat();
      copied = stat;
      if (!stat.isFile())
        throw new QuarantineError(`cannot move ${request.path}: not a regular file`);
      const { sha256, size } = await this.copyHashing(handle, stored, request.path);
      const verified = await hashFile(stored);
      if (verified.sha256 !== sha256 || verified.size !== size || size !== stat.size) {
        throw new QuarantineError(
          `cannot move ${request.path}: copy does not verify (sha256 ${sha256}/${verified.sha256}, ` +
            `size ${stat.size}/${size}/${verified.size})`,
        );
      }
      record = {
        quarantineId,
        threatId: request.threatId,
        containerId: request.containerId,
        path: request.path,
        sourcePath,
        sha256,
        size,
        mode: stat.mode & 0o7777,
        uid: stat.uid,
        gid: stat.gid,
        quarantinedAt: new Date().toISOString(),
      };
      await writeFileDurably(this.recordPath(quarantineId), JSON.stringify(record, null, 2), 0o600);
    } catch (error) {
      await fs.promises.rm(stored, { force: true });
      throw error instanceof QuarantineError
        ? error
        : new QuarantineError(`cannot move ${request.path}: ${code(error)}`);
    } finally {
      await handle.close();
    }
    await this.removeOriginal(request, quarantineId, sourcePath, copied);
    return record;
  }

  /**
   * Unlinks the original through the path it was read from or, when that is gone (the process
   * whose root it went through has exited), through another path to the same file.
   */
  private async removeOriginal(
    request: QuarantineRequest,
    quarantineId: string,
    used: string,
    copied: fs.Stats,
  ): Promise<void> {
    const errors: string[] = [];
    for (const candidate of [used, ...request.sources.filter((s) => s !== used)]) {
      try {
        const stat = await fs.promises.lstat(candidate);
        // Overlay and its upper layer report different devices for one file; inode and size match.
        if (stat.ino !== copied.ino || stat.size !== copied.size) {
          errors.push(`${candidate}: holds another file`);
          continue;
        }
        await fs.promises.unlink(candidate);
        return;
      } catch (error) {
        errors.push(`${candidate}: ${code(error)}`);
      }
    }
    throw new QuarantineError(
      `copied ${request.path} as ${quarantineId} but cannot remove the original: ${errors.join(', ')}`,
    );
  }

  async get(quarantineId: string): Promise<QuarantineRecord> {
    let text: string;
    try {
      text = await fs.promises.readFile(this.recordPath(quarantineId), 'utf8');
    } catch (error) {
      throw new QuarantineError(`no quarantined file ${quarantineId}: ${code(error)}`);
    }
    return QuarantineRecord.parse(JSON.parse(text));
  }

  async list(): Promise<QuarantineRecord[]> {
    const names = await fs.promises.readdir(this.dir);
    const ids = names.filter((n) => n.endsWith('.json')).map((n) => n.slice(0, -'.json'.length));
    return Promise.all(ids.map((id) => this.get(id)));
  }

  /**
   * Puts the exact bytes back at `target` with the original mode and owner, refusing to
   * overwrite a file that exists there now; the quarantine entry is removed afterwards.
   */
  async restore(quarantineId: string, target: string): Promise<QuarantineRecord> {
    const record = await this.get(quarantineId);
    const stored = await hashFile(this.blobPath(quarantineId));
    if (stored.sha256 !== record.sha256) {
      throw new QuarantineError(
        `cannot restore ${record.path}: stored copy ${quarantineId} is corrupt (sha256 ${stored.sha256}, expected ${record.sha256})`,
      );
    }
    const temporary = path.join(path.dirname(target), `.driftlock-restore-${quarantineId}`);
    try {
      await fs.promises.copyFile(
        this.blobPath(quarantineId),
        temporary,
        fs.constants.COPYFILE_EXCL,
      );
      const handle = await fs.promises.open(temporary, 'r+');
      try {
        await handle.chown(record.uid, record.gid);
        // chmod after chown: chown clears setuid/setgid bits.
        await handle.chmod(record.mode);
        await handle.sync();
      } finally {
        await handle.close();
      }
      await fs.promises.link(temporary, target);
    } catch (error) {
      const reason = code(error) === 'EEXIST' ? `${target} exists` : code(error);
      throw new QuarantineError(`cannot restore ${record.path} to ${target}: ${reason}`);
    } finally {
      await fs.promises.rm(temporary, { force: true });
    }
    await syncDir(path.dirname(target));
    await this.remove(quarantineId);
    return record;
  }

  /** Deletes a quarantined file for good. */
  async delete(quarantineId: string): Promise<QuarantineRecord> {
    const record = await this.get(quarantineId);
    await this.remove(quarantineId);
    return record;
  }

  private async remove(quarantineId: string): Promise<void> {
    await fs.promises.rm(this.blobPath(quarantineId), { force: true });
    await fs.promises.rm(this.recordPath(quarantineId), { force: true });
    await syncDir(this.dir);
  }

  private async openSource(
    request: QuarantineRequest,
  ): Promise<{ handle: fs.promises.FileHandle; sourcePath: string }> {
    const errors: string[] = [];
    for (const sourcePath of request.sources) {
      try {
        const flags = fs.constants.O_RDONLY | fs.constants.O_NOFOLLOW;
        return { handle: await fs.promises.open(sourcePath, flags), sourcePath };
      } catch (error) {
        errors.push(`${sourcePath}: ${code(error)}`);
      }
    }
    throw new QuarantineError(
      `cannot move ${request.path}: ${errors.join(', ') || 'no host path for it'}`,
    );
  }

  private async copyHashing(
    source: fs.promises.FileHandle,
    destination: string,
    what: string,
  ): Promise<{ sha256: string; size: number }> {
    const out = await fs.promises.open(destination, 'wx', 0o600);
    try {
      const hash = createHash('sha256');
      const buffer = Buffer.allocUnsafe(CHUNK);
      let size = 0;
      for (;;) {
        const { bytesRead } = await source.read(buffer, 0, CHUNK, size);
        if (bytesRead === 0) break;
        hash.update(buffer.subarray(0, bytesRead));
        await out.write(buffer, 0, bytesRead);
        size += bytesRead;
      }
      await out.sync();
      return { sha256: hash.digest('hex'), size };
    } catch (error) {
      throw new QuarantineError(`cannot copy ${what}: ${code(error)}`);
    } finally {
      await out.close();
    }
  }

  private blobPath(quarantineId: string): string {
    return path.join(this.dir, `${quarantineId}.bin`);
  }

  private recordPath(quarantineId: string): string {
    return path.join(this.dir, `${quarantineId}.json`);
  }
}
