import {
  PolicyChange,
  PolicyView,
  type CreatePolicyExceptionRequest,
  type DeletePolicyOverrideQuery,
  type PolicyOverride,
  type PolicySettings,
} from '@driftlock/protocol';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { z } from 'zod';
import { api } from '../../api/client';

export const policyKey = ['policy'] as const;
export const policyHistoryKey = ['policy', 'history'] as const;

export function usePolicy() {
  return useQuery({ queryKey: policyKey, queryFn: () => api('/policy', { schema: PolicyView }) });
}

export function usePolicyHistory() {
  return useQuery({
    queryKey: policyHistoryKey,
    queryFn: () => api('/policy/history', { schema: z.array(PolicyChange) }),
  });
}

/** Every policy write answers with the new policy view: it replaces the cached one. */
function usePolicyWrite<T>(write: (input: T) => Promise<PolicyView>) {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: write,
    onSuccess: (view) => queryClient.setQueryData(policyKey, view),
    onError: () => queryClient.invalidateQueries({ queryKey: policyKey, exact: true }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: policyHistoryKey }),
  });
}

export function useSetDefault() {
  return usePolicyWrite((settings: PolicySettings) =>
    api('/policy/default', { method: 'PUT', body: settings, schema: PolicyView }),
  );
}

export function usePutOverride() {
  return usePolicyWrite((override: PolicyOverride) =>
    api('/policy/overrides', { method: 'PUT', body: override, schema: PolicyView }),
  );
}

export function useDeleteOverride() {
  return usePolicyWrite((query: DeletePolicyOverrideQuery) =>
    api('/policy/overrides', { method: 'DELETE', query: { ...query }, schema: PolicyView }),
  );
}

export function useCreateException() {
  return usePolicyWrite((body: CreatePolicyExceptionRequest) =>
    api('/policy/exceptions', { method: 'POST', body, schema: PolicyView }),
  );
}

export function useDeleteException() {
  return usePolicyWrite((id: string) =>
    api(`/policy/exceptions/${encodeURIComponent(id)}`, { method: 'DELETE', schema: PolicyView }),
  );
}
