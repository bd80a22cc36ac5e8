import * as fs from 'fs';
import { z } from 'zod';
import { AgentStats, isoTime } from '@driftlock/protocol';

/** What `driftlock-agent status` shows: written by the running agent, read by the CLI. */
export const AgentStatusFile = z.object({
  pid: z.number().int(),
  version: z.string(),
  startedAt: isoTime,
  updatedAt: isoTime,
  agentId: z.string().nullable(),
  server: z.string().nullable(),
  connected: z.boolean(),
  lastError: z.string().nullable(),
  sensor: z.enum(['starting', 'running', 'stopped']),
  stats: AgentStats,
});
export type AgentStatusFile = z.infer<typeof AgentStatusFile>;

export function writeStatus(file: string, status: AgentStatusFile): void {
  const temporary = `${file}.tmp`;
  fs.writeFileSync(temporary, JSON.stringify(status, null, 2), { mode: 0o644 });
  fs.renameSync(temporary, file);
}

export function readStatus(file: string): AgentStatusFile | null {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch {
    return null;
  }
  return AgentStatusFile.parse(JSON.parse(text));
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** A human summary of a status file; `stale` when the writer is gone or silent. */
export function describeStatus(
  status: AgentStatusFile | null,
  staleAfterMs: number,
): { text: string; running: boolean } {
  if (status === null)
    return { text: 'driftlock-agent: not running (no status file yet)', running: false };
  const age = Date.now() - Date.parse(status.updatedAt);
  const running = isAlive(status.pid) && age <= staleAfterMs;
  const s = status.stats;
  const lines = [
    `driftlock-agent ${status.version}: ${running ? 'running' : 'NOT running'} (pid ${status.pid}, since ${status.startedAt})`,
    `  status written   ${status.updatedAt} (${Math.round(age / 1000)} s ago)`,
    `  agent id         ${status.agentId ?? '- (not enrolled)'}`,
    `  server           ${status.server ?? '-'} (${status.connected ? 'connected' : 'disconnected'})`,
    `  sensor           ${status.sensor}`,
    `  policy version   ${s.policyVersion ?? '- (none received)'}`,
    `  events           ${s.eventsSeen} seen, ${s.eventsDropped} dropped`,
    `  threats          ${s.threats}`,
    `  outbox           ${s.outboxLength} message(s) waiting`,
    `  containers       ${s.containers}`,
    `  memory           ${Math.round(s.rssBytes / 1024 / 1024)} MiB RSS, CPU ${s.cpuPercent.toFixed(1)}%`,
  ];
  if (status.lastError) lines.push(`  last error       ${status.lastError}`);
  return { text: lines.join('\n'), running };
}
