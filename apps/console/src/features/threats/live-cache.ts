import type { ThreatPage, ThreatSummary } from '@driftlock/protocol';
import type { QueryClient } from '@tanstack/react-query';
import { isFirstPage, matchesFilters, type ThreatSearch } from './filters';
import { threatKeys } from './queries';
import { markFresh } from './fresh-threats';

/** A threat pushed live goes on top of every first page whose filters it matches. */
export function applyThreatCreated(queryClient: QueryClient, threat: ThreatSummary): void {
  markFresh(threat.id);
  const lists = queryClient.getQueriesData<ThreatPage>({ queryKey: threatKeys.lists });
  for (const [key, page] of lists) {
    const search = key[2] as ThreatSearch | undefined;
    if (!page || !search || !isFirstPage(search) || !matchesFilters(threat, search.filters))
      continue;
    if (page.items.some((t) => t.id === threat.id)) continue;
    queryClient.setQueryData<ThreatPage>(key, { ...page, items: [threat, ...page.items] });
  }
  void queryClient.invalidateQueries({ queryKey: threatKeys.stats, refetchType: 'active' });
}

export function applyThreatUpdated(queryClient: QueryClient, threat: ThreatSummary): void {
  queryClient.setQueriesData<ThreatPage>({ queryKey: threatKeys.lists }, (page) =>
    page ? { ...page, items: page.items.map((t) => (t.id === threat.id ? threat : t)) } : page,
  );
  void queryClient.invalidateQueries({ queryKey: threatKeys.detail(threat.id) });
  void queryClient.invalidateQueries({ queryKey: threatKeys.stats, refetchType: 'active' });
}
