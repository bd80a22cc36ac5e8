import { Counter, Gauge } from 'prom-client';

/*
 * Module-level, so each metric is registered once per process in the default registry (which
 * the /api/v1/metrics endpoint serves) however many app instances the process runs.
 */
export const framesReceived = new Counter({
  name: 'driftlock_agent_frames_total',
  help: 'Agent frames accepted by the gateway, by message type',
  labelNames: ['type'] as const,
});

export const framesRejected = new Counter({
  name: 'driftlock_agent_frames_rejected_total',
  help: 'Agent frames refused without storing anything, by reason',
  labelNames: ['reason'] as const,
});

export const upgradesRejected = new Counter({
  name: 'driftlock_agent_connections_rejected_total',
  help: 'Agent WebSocket upgrades refused, by HTTP status',
  labelNames: ['status'] as const,
});

export const processEventsStored = new Counter({
  name: 'driftlock_process_events_stored_total',
  help: 'Process events stored from agent batches',
});

export const agentsConnected = new Gauge({
  name: 'driftlock_agents_connected',
  help: 'Agents connected to this replica',
});
