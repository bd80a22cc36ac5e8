import * as fs from 'fs';

const LOCK = '/run/driftlock-agent-integration.lock';

/**
 * Integration specs run agents that set enforcement modes for every container they see; two at
 * once (jest runs spec files in parallel workers) would enforce on each other's containers.
 * This host-wide lock makes them take turns. A lock left by a dead process is taken over.
 */
export async function acquireHostLock(timeoutMs = 300_000): Promise<() => void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      fs.writeFileSync(LOCK, String(process.pid), { flag: 'wx' });
      return () => fs.rmSync(LOCK, { force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
    }
    const holder = Number(fs.readFileSync(LOCK, 'utf8'));
    if (!isAlive(holder)) {
      fs.rmSync(LOCK, { force: true });
      continue;
    }
    if (Date.now() > deadline) throw new Error(`host lock ${LOCK}: still held by pid ${holder}`);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function isAlive(pid: number): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
