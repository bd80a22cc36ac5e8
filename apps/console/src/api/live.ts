import { LIVE_NAMESPACE, type LiveEvents } from '@driftlock/protocol';
import { useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { io, type Socket } from 'socket.io-client';
import { mergeAgent } from '../features/agents/queries';
import { policyKey } from '../features/policy/queries';
import { applyThreatCreated, applyThreatUpdated } from '../features/threats/live-cache';

export type LiveState = 'connecting' | 'live' | 'offline';

/**
 * Subscribes to the server's live updates (socket.io namespace `/live`, cookie auth) and folds
 * each event into the react-query cache, so every page shows it without a reload.
 */
export function useLiveUpdates(): LiveState {
  const queryClient = useQueryClient();
  const [state, setState] = useState<LiveState>('connecting');

  useEffect(() => {
    const socket: Socket<LiveEvents> = io(LIVE_NAMESPACE, { withCredentials: true });
    let connectedBefore = false;
    socket.on('connect', () => {
      setState('live');
      // Whatever happened while the socket was down is fetched again once it is back.
      if (connectedBefore) void queryClient.invalidateQueries({ refetchType: 'active' });
      connectedBefore = true;
    });
    socket.on('disconnect', () => setState('offline'));
    socket.on('connect_error', () => setState('offline'));
    socket.on('threat.created', (threat) => applyThreatCreated(queryClient, threat));
    socket.on('threat.updated', (threat) => applyThreatUpdated(queryClient, threat));
    socket.on('agent.status', (agent) => {
      mergeAgent(queryClient, agent);
      // "Applied by N/M agents" counts agents: an agent applying a policy version changes it.
      void queryClient.invalidateQueries({ queryKey: policyKey, exact: true });
    });
    socket.on('policy.changed', (policy) => {
      queryClient.setQueryData(policyKey, policy);
      void queryClient.invalidateQueries({ queryKey: ['policy', 'history'] });
    });
    return () => {
      socket.close();
    };
  }, [queryClient]);

  return state;
}
