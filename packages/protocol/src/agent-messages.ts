import { z } from 'zod';
import { AgentKind, clientId, isoTime, PROTOCOL_VERSION } from './common';
import { PolicyDocument } from './policy';
import { ProcessEvent } from './process';
import { Mitigation, ThreatReport } from './threat';

/** Frames larger than this are refused before parsing. */
export const MAX_FRAME_BYTES = 1024 * 1024;
export const MAX_EVENTS_PER_BATCH = 5000;
export const AGENT_WS_PATH = '/agents/ws';

export const AgentCapabilities = z.object({
  inKernelKill: z.boolean(),
  btf: z.boolean(),
  runtimes: z.array(z.string().max(32)).max(8),
});
export type AgentCapabilities = z.infer<typeof AgentCapabilities>;

export const AgentIdentity = z.object({
  version: z.string().max(64),
  hostname: z.string().min(1).max(253),
  kind: AgentKind,
  cluster: z.string().max(253).nullable(),
  node: z.string().max(253).nullable(),
  kernel: z.string().max(256),
});
export type AgentIdentity = z.infer<typeof AgentIdentity>;

export const AgentStats = z.object({
  eventsSeen: z.number().int().nonnegative(),
  eventsDropped: z.number().int().nonnegative(),
  threats: z.number().int().nonnegative(),
  outboxLength: z.number().int().nonnegative(),
  rssBytes: z.number().int().nonnegative(),
  cpuPercent: z.number().nonnegative(),
  containers: z.number().int().nonnegative(),
  policyVersion: z.number().int().nonnegative().nullable(),
});
export type AgentStats = z.infer<typeof AgentStats>;

/**
 * Every agent frame: `id` is chosen by the agent and unique for that agent (the server stores
 * each id once, so a resend is harmless); `seq` orders the outbox and is echoed in the ack.
 */
const envelope = {
  v: z.literal(PROTOCOL_VERSION),
  id: clientId,
  seq: z.number().int().nonnegative(),
  sentAt: isoTime,
};

export const HelloMessage = z.object({
  ...envelope,
  type: z.literal('hello'),
  agent: AgentIdentity,
  capabilities: AgentCapabilities,
  policyVersion: z.number().int().nonnegative().nullable(),
});
export const HeartbeatMessage = z.object({
  ...envelope,
  type: z.literal('heartbeat'),
  stats: AgentStats,
});
export const ProcessEventsMessage = z.object({
  ...envelope,
  type: z.literal('process_events'),
  events: z.array(ProcessEvent).min(1).max(MAX_EVENTS_PER_BATCH),
});
export const ThreatMessage = z.object({
  ...envelope,
  type: z.literal('threat'),
  threat: ThreatReport,
});
export const MitigationResultMessage = z.object({
  ...envelope,
  type: z.literal('mitigation_result'),
  threatId: clientId,
  mitigation: Mitigation,
});
export const CommandResultMessage = z.object({
  ...envelope,
  type: z.literal('command_result'),
  commandId: z.string().uuid(),
  outcome: z.enum(['succeeded', 'failed']),
  detail: z.string().max(2000),
});
export const PolicyAppliedMessage = z.object({
  ...envelope,
  type: z.literal('policy_applied'),
  version: z.number().int().positive(),
});

export const AgentMessage = z.discriminatedUnion('type', [
  HelloMessage,
  HeartbeatMessage,
  ProcessEventsMessage,
  ThreatMessage,
  MitigationResultMessage,
  CommandResultMessage,
  PolicyAppliedMessage,
]);
export type AgentMessage = z.infer<typeof AgentMessage>;
export type AgentMessageType = AgentMessage['type'];

export const AckFrame = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('ack'),
  id: clientId,
  seq: z.number().int().nonnegative(),
  /** True when the server had already stored this id: the agent may drop it all the same. */
  duplicate: z.boolean(),
});
export const ErrorFrame = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('error'),
  code: z.enum(['invalid_frame', 'frame_too_large', 'forbidden', 'internal']),
  message: z.string(),
  /** The id of the offending frame, when it could be read. */
  ref: z.string().nullable(),
});
export const PolicyFrame = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('policy'),
  policy: PolicyDocument,
});
export const QuarantineCommand = z.enum(['quarantine_restore', 'quarantine_delete']);
export type QuarantineCommand = z.infer<typeof QuarantineCommand>;
export const CommandFrame = z.object({
  v: z.literal(PROTOCOL_VERSION),
  type: z.literal('command'),
  commandId: z.string().uuid(),
  command: QuarantineCommand,
  quarantineId: clientId,
});

export const ServerFrame = z.discriminatedUnion('type', [
  AckFrame,
  ErrorFrame,
  PolicyFrame,
  CommandFrame,
]);
export type ServerFrame = z.infer<typeof ServerFrame>;
export type AckFrame = z.infer<typeof AckFrame>;
export type ErrorFrame = z.infer<typeof ErrorFrame>;
export type PolicyFrame = z.infer<typeof PolicyFrame>;
export type CommandFrame = z.infer<typeof CommandFrame>;

/** `Authorization: Bearer <agentId>.<secret>` on the WebSocket upgrade. */
export function agentBearer(agentId: string, secret: string): string {
  return `Bearer ${agentId}.${secret}`;
}
