import {
  DriftClass,
  ThreatStatus,
  type ThreatListQuery,
  type ThreatSummary,
} from '@driftlock/protocol';
import { z } from 'zod';

/** Relative time ranges keep a shared link meaning "the last 24 hours" whenever it is opened. */
export const timeRanges = {
  '1h': 3_600_000,
  '24h': 86_400_000,
  '7d': 604_800_000,
  '30d': 2_592_000_000,
};
export type TimeRange = keyof typeof timeRanges;

export interface ThreatFilters {
  status?: ThreatStatus;
  driftClass?: DriftClass;
  namespace?: string;
  pod?: string;
  image?: string;
  agentId?: string;
  range?: TimeRange;
  from?: string;
  to?: string;
  q?: string;
}

/** Everything the threats page keeps in its URL: filters and the keyset pagination position. */
export interface ThreatSearch {
  filters: ThreatFilters;
  /** Cursor of the page shown; absent on the first page. */
  cursor?: string;
  /** Cursors of the pages before this one, oldest first ('' is the first page): "previous" pops. */
  trail: string[];
}

const text = (max: number) => z.string().trim().min(1).max(max);
const filterSchemas = {
  status: ThreatStatus,
  driftClass: DriftClass,
  namespace: text(253),
  pod: text(253),
  image: text(512),
  agentId: z.string().uuid(),
  range: z.enum(Object.keys(timeRanges) as [TimeRange, ...TimeRange[]]),
  from: z.iso.datetime({ offset: true }),
  to: z.iso.datetime({ offset: true }),
  q: text(200),
} satisfies Record<keyof ThreatFilters, z.ZodType>;

const filterKeys = Object.keys(filterSchemas) as Array<keyof ThreatFilters>;

/** Reads the URL; a value that is not valid (a hand-edited link) is dropped, not sent. */
export function readThreatSearch(params: URLSearchParams): ThreatSearch {
  const filters: Record<string, string> = {};
  for (const key of filterKeys) {
    const raw = params.get(key);
    if (raw === null) continue;
    const parsed = filterSchemas[key].safeParse(raw);
    if (parsed.success) filters[key] = parsed.data;
  }
  if (filters.range) {
    delete filters.from;
    delete filters.to;
  }
  const cursor = params.get('cursor') || undefined;
  const trail = cursor ? params.getAll('prev') : [];
  return { filters: filters as ThreatFilters, cursor, trail };
}

export function writeThreatSearch(search: ThreatSearch): URLSearchParams {
  const params = new URLSearchParams();
  for (const key of filterKeys) {
    const value = search.filters[key];
    if (value) params.set(key, value);
  }
  if (search.cursor) {
    params.set('cursor', search.cursor);
    for (const c of search.trail) params.append('prev', c);
  }
  return params;
}

/** New filters start again from the first page. */
export function withFilters(search: ThreatSearch, patch: Partial<ThreatFilters>): ThreatSearch {
  const filters: ThreatFilters = { ...search.filters, ...patch };
  if (patch.range) {
    delete filters.from;
    delete filters.to;
  }
  if (patch.from !== undefined || patch.to !== undefined) delete filters.range;
  for (const key of filterKeys) if (!filters[key]) delete filters[key];
  return { filters, trail: [] };
}

export function nextPage(search: ThreatSearch, nextCursor: string): ThreatSearch {
  return { ...search, cursor: nextCursor, trail: [...search.trail, search.cursor ?? ''] };
}

export function previousPage(search: ThreatSearch): ThreatSearch {
  const trail = search.trail.slice(0, -1);
  const cursor = search.trail[search.trail.length - 1] || undefined;
  return { ...search, cursor, trail: cursor ? trail : [] };
}

export function isFirstPage(search: ThreatSearch): boolean {
  return !search.cursor;
}

export type ThreatListParams = Omit<ThreatListQuery, 'limit'> & { limit: number };

/** The API query for this search, resolving a relative range against `now`. */
export function toListQuery(
  search: ThreatSearch,
  limit: number,
  now = Date.now(),
): ThreatListParams {
  const { range, ...rest } = search.filters;
  const query: ThreatListParams = { ...rest, limit };
  if (range) query.from = new Date(now - timeRanges[range]).toISOString();
  if (search.cursor) query.cursor = search.cursor;
  return query;
}

const containsIgnoringCase = (value: string | null, needle: string) =>
  (value ?? '').toLowerCase().includes(needle.toLowerCase());

/** Whether a threat pushed live belongs in the list these filters show (as the server filters). */
export function matchesFilters(
  threat: ThreatSummary,
  filters: ThreatFilters,
  now = Date.now(),
): boolean {
  if (filters.status && threat.status !== filters.status) return false;
  if (filters.driftClass && threat.driftClass !== filters.driftClass) return false;
  if (filters.namespace && threat.namespace !== filters.namespace) return false;
  if (filters.pod && !containsIgnoringCase(threat.podName, filters.pod)) return false;
  if (filters.image && !containsIgnoringCase(threat.image, filters.image)) return false;
  if (filters.agentId && threat.agentId !== filters.agentId) return false;
  const detected = Date.parse(threat.detectedAt);
  if (filters.range && detected < now - timeRanges[filters.range]) return false;
  if (filters.from && detected < Date.parse(filters.from)) return false;
  if (filters.to && detected >= Date.parse(filters.to)) return false;
  if (filters.q) {
    const q = filters.q;
    const fields = [
      threat.commandLine,
      threat.filePath,
      threat.podName,
      threat.image,
      threat.containerName,
      threat.namespace,
      threat.node,
      threat.hostname,
    ];
    if (!fields.some((f) => containsIgnoringCase(f, q))) return false;
  }
  return true;
}
