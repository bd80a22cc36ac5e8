import { spawn } from 'child_process';
import { killProcess } from './kill';

function sleeper(): { pid: number; exited: Promise<NodeJS.Signals | null> } {
  const child = spawn('sleep', ['30'], { stdio: 'ignore' });
  return {
    pid: child.pid as number,
    exited: new Promise((resolve) => child.on('exit', (_code, signal) => resolve(signal))),
  };
}

describe('killProcess', () => {
  it('kills a running process with SIGKILL and confirms it is dead', async () => {
    const { pid, exited } = sleeper();
    const result = await killProcess('/proc', pid, ['sleep', '30']);
    expect(result).toEqual({
      outcome: 'succeeded',
      detail: 'SIGKILL sent from user space',
      exitCode: 137,
    });
    expect(await exited).toBe('SIGKILL');
  });

  it('leaves alone a pid that now runs another command line', async () => {
    const { pid, exited } = sleeper();
    const result = await killProcess('/proc', pid, ['./minerd']);
    expect(result.outcome).toBe('skipped');
    expect(result.detail).toBe(`pid ${pid} runs another command now (sleep 30)`);
    process.kill(pid, 'SIGTERM');
    await exited;
  });

  it('skips a process that has already exited', async () => {
    const { pid, exited } = sleeper();
    process.kill(pid, 'SIGTERM');
    await exited;
    expect(await killProcess('/proc', pid, ['sleep', '30'])).toMatchObject({ outcome: 'skipped' });
  });
});
