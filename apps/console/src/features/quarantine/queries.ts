import { QuarantineItem } from '@driftlock/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { api } from '../../api/client';

export const quarantineKey = ['quarantine'] as const;

export function useQuarantine() {
  return useQuery({
    queryKey: quarantineKey,
    queryFn: () => api('/quarantine', { schema: z.array(QuarantineItem) }),
    // A restore or delete is carried out by the agent: watch until it has answered.
    refetchInterval: (query) =>
      query.state.data?.some((q) => q.status.endsWith('_pending')) ? 2000 : false,
  });
}

export type QuarantineCommand = 'restore' | 'delete';

/** Restore or delete goes to the agent holding the file; the item shows `*_pending` until it answers. */
export function useQuarantineCommand() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, command }: { id: string; command: QuarantineCommand }) =>
      api(`/quarantine/${encodeURIComponent(id)}/${command}`, { method: 'POST' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: quarantineKey }),
  });
}
