/**
 * What one replica tells all replicas (itself included) through Postgres NOTIFY. Payloads carry
 * ids only: NOTIFY is limited to 8000 bytes and receivers load the current rows themselves.
 */
export type FleetEvent =
  | { type: 'policy.changed'; version: number }
  | { type: 'agent.command'; agentId: string; commandId: string }
  | { type: 'agent.status'; agentId: string }
  | { type: 'agent.decommissioned'; agentId: string }
  | { type: 'threat.created'; ids: string[] }
  | { type: 'threat.updated'; ids: string[] }
  /**
   * Local only, never sent: this replica's listener reconnected and may have missed events, so
   * receivers push current state again.
   */
  | { type: 'resync' };

export const FLEET_CHANNEL = 'driftlock_fleet';

/** Keeps NOTIFY payloads of threat ids well under the 8000-byte limit (37 bytes per uuid). */
export const MAX_IDS_PER_EVENT = 100;
