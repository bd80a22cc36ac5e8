import {
  Agent,
  CreatedEnrollmentToken,
  EnrollmentToken,
  type CreateEnrollmentTokenRequest,
} from '@driftlock/protocol';
import { useQuery, type QueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { api } from '../../api/client';
import { useRefreshingMutation } from '../../api/mutations';

export const agentsKey = ['agents'] as const;
export const enrollmentTokensKey = ['enrollment-tokens'] as const;

export function useAgents() {
  return useQuery({
    queryKey: agentsKey,
    queryFn: () => api('/agents', { schema: z.array(Agent) }),
  });
}

/** An `agent.status` event replaces that agent in the cached inventory (or adds a new one). */
export function mergeAgent(queryClient: QueryClient, agent: Agent): void {
  queryClient.setQueryData<Agent[]>(agentsKey, (agents) => {
    if (!agents) return agents;
    const known = agents.some((a) => a.id === agent.id);
    return known ? agents.map((a) => (a.id === agent.id ? agent : a)) : [...agents, agent];
  });
}

export function useDecommission() {
  return useRefreshingMutation(agentsKey, (id: string) =>
    api(`/agents/${encodeURIComponent(id)}/decommission`, { method: 'POST' }),
  );
}

export function useEnrollmentTokens(enabled: boolean) {
  return useQuery({
    queryKey: enrollmentTokensKey,
    queryFn: () => api('/enrollment-tokens', { schema: z.array(EnrollmentToken) }),
    enabled,
  });
}

export function useCreateEnrollmentToken() {
  return useRefreshingMutation(enrollmentTokensKey, (body: CreateEnrollmentTokenRequest) =>
    api('/enrollment-tokens', { method: 'POST', body, schema: CreatedEnrollmentToken }),
  );
}

export function useRevokeEnrollmentToken() {
  return useRefreshingMutation(enrollmentTokensKey, (id: string) =>
    api(`/enrollment-tokens/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  );
}
