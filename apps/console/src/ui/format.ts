import type { DriftClass, MitigationSummary, ThreatStatus, Verdict } from '@driftlock/protocol';

const pad = (n: number) => String(n).padStart(2, '0');

/** Local time as `2026-12-04 16:31:03`: sortable, unambiguous, the same width on every row. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '—';
  const t = new Date(iso);
  if (Number.isNaN(t.getTime())) return iso;
  return `${t.getFullYear()}-${pad(t.getMonth() + 1)}-${pad(t.getDate())} ${pad(t.getHours())}:${pad(t.getMinutes())}:${pad(t.getSeconds())}`;
}

/** `3 min ago`, `2 h ago`: for "last seen" style columns. */
export function formatAgo(iso: string | null | undefined, now = Date.now()): string {
  if (!iso) return 'never';
  const seconds = Math.round((now - Date.parse(iso)) / 1000);
  if (seconds < 0) return `in ${formatDuration(-seconds)}`;
  if (seconds < 5) return 'just now';
  return `${formatDuration(seconds)} ago`;
}

function formatDuration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 86_400) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} d`;
}

export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) return '—';
  if (bytes < 1024) return `${bytes} B`;
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(1)} ${units[unit]} (${bytes.toLocaleString()} B)`;
}

/** What an "Expires after" choice means: `never` is null, else that many units (of `unitMs`) from now. */
export function expiresAfter(choice: string, unitMs: number): string | null {
  return choice === 'never' ? null : new Date(Date.now() + Number(choice) * unitMs).toISOString();
}

export const driftClassLabels: Record<DriftClass, string> = {
  new_binary: 'New binary',
  modified_binary: 'Modified image binary',
  new_script: 'New script',
  script_via_interpreter: 'Script via interpreter',
  fileless: 'Fileless',
  non_image_fs: 'Non-image filesystem',
};

export const statusLabels: Record<ThreatStatus, string> = {
  unresolved: 'Unresolved',
  in_progress: 'In progress',
  resolved: 'Resolved',
};

export const verdictLabels: Record<Verdict, string> = {
  true_positive: 'True positive',
  false_positive: 'False positive',
  suspicious: 'Suspicious',
};

export const mitigationLabels: Record<MitigationSummary, string[]> = {
  killed_quarantined: ['KILLED', 'QUARANTINED'],
  killed: ['KILLED'],
  quarantined: ['QUARANTINED'],
  detected: ['DETECTED'],
  failed: ['FAILED'],
};

export function labelOf(map: Record<string, string>, key: string): string {
  return map[key] ?? key;
}

/** Keeps the start of a long command line, which says most about it. */
export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

export function shortHash(hash: string | null | undefined, length = 12): string {
  if (!hash) return '—';
  const bare = hash.replace(/^sha256:/, '');
  return bare.length > length ? bare.slice(0, length) : bare;
}
