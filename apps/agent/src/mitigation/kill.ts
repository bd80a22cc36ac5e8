import * as fs from 'fs';
import * as path from 'path';
import { setTimeout as sleep } from 'timers/promises';

export interface KillResult {
  outcome: 'succeeded' | 'failed' | 'skipped';
  detail: string;
  exitCode: number | null;
}

const SIGKILL_EXIT_CODE = 137;

/** R, S, D ... from /proc/<pid>/stat; null once the pid is gone. Z and X mean it is dead already. */
function stateOf(procRoot: string, pid: number): string | null {
  try {
    const stat = fs.readFileSync(path.join(procRoot, String(pid), 'stat'), 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  } catch {
    return null;
  }
}

function cmdlineOf(procRoot: string, pid: number): string[] | null {
  try {
    const raw = fs.readFileSync(path.join(procRoot, String(pid), 'cmdline')).toString();
    return raw.replace(/\0$/, '').split('\0');
  } catch {
    return null;
  }
}

function isDead(state: string | null): boolean {
  return state === null || state === 'Z' || state === 'X';
}

/**
 * SIGKILL from user space, for drift the kernel did not stop (interpreter arguments, detect ->
 * protect races). The pid must still run the command line that was judged, so a reused pid is
 * never hit; the kill counts as done only once the process is dead.
 */
export async function killProcess(
  procRoot: string,
  pid: number,
  expectedArgs: string[],
  waitMs = 2000,
): Promise<KillResult> {
  const before = cmdlineOf(procRoot, pid);
  if (before === null || isDead(stateOf(procRoot, pid))) {
    return { outcome: 'skipped', detail: `pid ${pid} had already exited`, exitCode: null };
  }
  if (before.join('\0') !== expectedArgs.join('\0')) {
    return {
      outcome: 'skipped',
      detail: `pid ${pid} runs another command now (${before.join(' ').slice(0, 200)})`,
      exitCode: null,
    };
  }
  try {
    process.kill(pid, 'SIGKILL');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? String(error);
    if (code === 'ESRCH')
      return { outcome: 'skipped', detail: `pid ${pid} had already exited`, exitCode: null };
    return {
      outcome: 'failed',
      detail: `kill: cannot SIGKILL pid ${pid}: ${code}`,
      exitCode: null,
    };
  }
  const deadline = Date.now() + waitMs;
  while (Date.now() < deadline) {
    if (isDead(stateOf(procRoot, pid))) {
      return {
        outcome: 'succeeded',
        detail: 'SIGKILL sent from user space',
        exitCode: SIGKILL_EXIT_CODE,
      };
    }
    await sleep(5);
  }
  return {
    outcome: 'failed',
    detail: `kill: pid ${pid} still alive ${waitMs} ms after SIGKILL (state ${stateOf(procRoot, pid)})`,
    exitCode: null,
  };
}
