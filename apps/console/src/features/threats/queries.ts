import {
  ThreatDetail,
  ThreatPage,
  ThreatStats,
  StorylineView,
  type BulkUpdateThreatsRequest,
  type UpdateThreatRequest,
} from '@driftlock/protocol';
import {
  keepPreviousData,
  queryOptions,
  useMutation,
  useQuery,
  useQueryClient,
} from '@tanstack/react-query';
import { api } from '../../api/client';
import { toListQuery, type ThreatSearch } from './filters';

export const PAGE_SIZE = 50;

export const threatKeys = {
  all: ['threats'] as const,
  lists: ['threats', 'list'] as const,
  list: (search: ThreatSearch) => ['threats', 'list', search] as const,
  stats: ['threats', 'stats'] as const,
  detail: (id: string) => ['threats', 'detail', id] as const,
  storyline: (id: string) => ['threats', 'storyline', id] as const,
};

/** Query definitions shared by the pages' hooks and the start-up prefetch (`app/preload.ts`). */
export const threatQueries = {
  list: (search: ThreatSearch) =>
    queryOptions({
      queryKey: threatKeys.list(search),
      queryFn: () => api('/threats', { query: toListQuery(search, PAGE_SIZE), schema: ThreatPage }),
    }),
  detail: (id: string) =>
    queryOptions({
      queryKey: threatKeys.detail(id),
      queryFn: () => api(`/threats/${encodeURIComponent(id)}`, { schema: ThreatDetail }),
    }),
  storyline: (id: string) =>
    queryOptions({
      queryKey: threatKeys.storyline(id),
      queryFn: () => api(`/threats/${encodeURIComponent(id)}/storyline`, { schema: StorylineView }),
      staleTime: Infinity,
    }),
};

export function useThreatList(search: ThreatSearch) {
  return useQuery({ ...threatQueries.list(search), placeholderData: keepPreviousData });
}

export function useThreatStats() {
  return useQuery({
    queryKey: threatKeys.stats,
    queryFn: () => api('/threats/stats', { schema: ThreatStats }),
  });
}

export function useThreat(id: string) {
  return useQuery(threatQueries.detail(id));
}

export function useStoryline(id: string) {
  return useQuery(threatQueries.storyline(id));
}

export function useUpdateThreat(id: string) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: UpdateThreatRequest) =>
      api(`/threats/${encodeURIComponent(id)}`, { method: 'PATCH', body, schema: ThreatDetail }),
    onSuccess: (detail) => {
      queryClient.setQueryData(threatKeys.detail(id), detail);
      void queryClient.invalidateQueries({ queryKey: threatKeys.lists });
      void queryClient.invalidateQueries({ queryKey: threatKeys.stats });
    },
  });
}

export function useBulkStatus() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: BulkUpdateThreatsRequest) =>
      api('/threats/bulk-status', { method: 'POST', body }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: threatKeys.all });
    },
  });
}
