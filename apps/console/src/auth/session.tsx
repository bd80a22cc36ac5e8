import { Me, type LoginRequest } from '@driftlock/protocol';
import {
  queryOptions,
  useMutation,
  useQuery,
  useQueryClient,
  type QueryClient,
} from '@tanstack/react-query';
import { createContext, useContext, type ReactNode } from 'react';
import { api, ApiRequestError } from '../api/client';
import { roleAllows, type Permission } from '@driftlock/protocol';

export const meKey = ['auth', 'me'] as const;

/** The signed-in user, or null when signed out (the server answers 401). */
export const meQuery = queryOptions({
  queryKey: meKey,
  queryFn: async () => {
    try {
      return await api('/auth/me', { schema: Me });
    } catch (error) {
      if (error instanceof ApiRequestError && error.status === 401) return null;
      throw error;
    }
  },
  staleTime: 60_000,
  retry: false,
});

export function useMeQuery() {
  return useQuery(meQuery);
}

/**
 * One user's data must not show to the next: drop every cached query but the session itself
 * (which observers stay subscribed to, so it is updated rather than removed).
 */
function forgetEverythingButSession(queryClient: QueryClient): void {
  queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== meKey[0] });
}

export function useLogin() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: (body: LoginRequest) => api('/auth/login', { method: 'POST', body, schema: Me }),
    onSuccess: (me) => {
      forgetEverythingButSession(queryClient);
      queryClient.setQueryData(meKey, me);
    },
  });
}

export function useLogout() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: () => api('/auth/logout', { method: 'POST' }),
    onSettled: () => {
      queryClient.setQueryData(meKey, null);
      forgetEverythingButSession(queryClient);
    },
  });
}

const SessionContext = createContext<Me | null>(null);

export function SessionProvider({ me, children }: { me: Me; children: ReactNode }) {
  return <SessionContext.Provider value={me}>{children}</SessionContext.Provider>;
}

export function useSession(): Me {
  const me = useContext(SessionContext);
  if (!me) throw new Error('useSession: no signed-in user (render inside SessionProvider)');
  return me;
}

/** Whether the signed-in user's role grants `permission`. */
export function useCan(permission: Permission): boolean {
  return roleAllows(useSession().user.role, permission);
}

/** Renders its children only when the user may use them: no dead buttons. */
export function Can({ permission, children }: { permission: Permission; children: ReactNode }) {
  return useCan(permission) ? <>{children}</> : null;
}
