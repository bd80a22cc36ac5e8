import { z } from 'zod';
import {
  AgentKind,
  DriftClass,
  Engine,
  isoTime,
  PolicyMode,
  Role,
  sha256Hex,
  ThreatStatus,
  Verdict,
} from './common';
import { AgentCapabilities, AgentIdentity, AgentStats } from './agent-messages';
import { PolicyDocument, PolicyOverride, PolicySettings } from './policy';
import { ProcessNode } from './process';
import { Mitigation } from './threat';
import { ContainerInfo, FileInfo, KubernetesInfo } from './workload';

/** REST API shapes under /api/v1. The server validates requests with these and documents them. */
export const API_PREFIX = '/api/v1';

const name = z.string().trim().min(1).max(200);
const futureTime = isoTime.refine((t) => Date.parse(t) > Date.now(), 'must be in the future');

// --- auth, users, API tokens ---------------------------------------------------------------

export const LoginRequest = z.object({
  email: z.string().trim().toLowerCase().email().max(320),
  password: z.string().min(1).max(1024),
});
export type LoginRequest = z.infer<typeof LoginRequest>;

export const User = z.object({
  id: z.string().uuid(),
  email: z.string(),
  name: z.string(),
  role: Role,
  disabled: z.boolean(),
  createdAt: isoTime,
  lastLoginAt: isoTime.nullable(),
});
export type User = z.infer<typeof User>;

export const Me = z.object({
  user: User,
  /** How this request was authenticated. */
  via: z.enum(['session', 'api_token']),
});
export type Me = z.infer<typeof Me>;

export const CreateUserRequest = z.object({
  email: z.string().trim().toLowerCase().email().max(320),
  name,
  role: Role,
  password: z.string().min(12, 'at least 12 characters').max(1024),
});
export type CreateUserRequest = z.infer<typeof CreateUserRequest>;

export const UpdateUserRequest = z
  .object({
    name: name.optional(),
    role: Role.optional(),
    disabled: z.boolean().optional(),
    password: z.string().min(12, 'at least 12 characters').max(1024).optional(),
  })
  .refine((u) => Object.keys(u).length > 0, 'nothing to change');
export type UpdateUserRequest = z.infer<typeof UpdateUserRequest>;

export const ApiToken = z.object({
  id: z.string().uuid(),
  name: z.string(),
  role: Role,
  /** The first characters of the token, to recognise it; the token itself is never stored. */
  prefix: z.string(),
  createdAt: isoTime,
  createdBy: z.string().nullable(),
  expiresAt: isoTime.nullable(),
  lastUsedAt: isoTime.nullable(),
  revokedAt: isoTime.nullable(),
});
export type ApiToken = z.infer<typeof ApiToken>;

export const CreateApiTokenRequest = z.object({
  name,
  role: Role,
  expiresAt: futureTime.nullable(),
});
export type CreateApiTokenRequest = z.infer<typeof CreateApiTokenRequest>;

/** Returned once, at creation: `token` is never shown again. */
export const CreatedApiToken = z.object({ token: z.string(), apiToken: ApiToken });
export type CreatedApiToken = z.infer<typeof CreatedApiToken>;

// --- agents and enrollment -----------------------------------------------------------------

export const EnrollmentToken = z.object({
  id: z.string().uuid(),
  name: z.string(),
  prefix: z.string(),
  createdAt: isoTime,
  createdBy: z.string().nullable(),
  expiresAt: isoTime.nullable(),
  maxUses: z.number().int().positive().nullable(),
  uses: z.number().int().nonnegative(),
  revokedAt: isoTime.nullable(),
});
export type EnrollmentToken = z.infer<typeof EnrollmentToken>;

export const CreateEnrollmentTokenRequest = z.object({
  name,
  expiresAt: futureTime.nullable(),
  maxUses: z.number().int().positive().max(1_000_000).nullable(),
});
export type CreateEnrollmentTokenRequest = z.infer<typeof CreateEnrollmentTokenRequest>;

export const CreatedEnrollmentToken = z.object({
  token: z.string(),
  enrollmentToken: EnrollmentToken,
});
export type CreatedEnrollmentToken = z.infer<typeof CreatedEnrollmentToken>;

export const EnrollRequest = z.object({
  token: z.string().min(1).max(256),
  agent: AgentIdentity,
});
export type EnrollRequest = z.infer<typeof EnrollRequest>;

/** The agent's own credentials: the secret is shown once and stored hashed on the server. */
export const EnrollResponse = z.object({
  agentId: z.string().uuid(),
  secret: z.string(),
});
export type EnrollResponse = z.infer<typeof EnrollResponse>;

export const AgentStatus = z.enum(['online', 'offline', 'decommissioned']);
export type AgentStatus = z.infer<typeof AgentStatus>;

export const Agent = z.object({
  id: z.string().uuid(),
  hostname: z.string(),
  kind: AgentKind,
  cluster: z.string().nullable(),
  node: z.string().nullable(),
  version: z.string(),
  kernel: z.string(),
  capabilities: AgentCapabilities.nullable(),
  status: AgentStatus,
  enrolledAt: isoTime,
  lastSeenAt: isoTime.nullable(),
  policyVersion: z.number().int().nullable(),
  stats: AgentStats.nullable(),
});
export type Agent = z.infer<typeof Agent>;

// --- policy --------------------------------------------------------------------------------

export const PolicyView = PolicyDocument.extend({
  updatedAt: isoTime,
  updatedBy: z.string().nullable(),
  /** Connected agents whose sensor runs this version, out of all connected agents. */
  agentsApplied: z.number().int().nonnegative(),
  agentsConnected: z.number().int().nonnegative(),
});
export type PolicyView = z.infer<typeof PolicyView>;

export const UpdatePolicyDefaultRequest = PolicySettings;
export type UpdatePolicyDefaultRequest = z.infer<typeof UpdatePolicyDefaultRequest>;

export const PutPolicyOverrideRequest = PolicyOverride;
export type PutPolicyOverrideRequest = z.infer<typeof PutPolicyOverrideRequest>;

export const DeletePolicyOverrideQuery = z.object({
  scope: z.enum(['cluster', 'namespace']),
  cluster: z.string().max(253).optional(),
  namespace: z.string().max(253).optional(),
});
export type DeletePolicyOverrideQuery = z.infer<typeof DeletePolicyOverrideQuery>;

export const CreatePolicyExceptionRequest = z
  .object({
    sha256: sha256Hex.nullable(),
    path: z.string().min(1).max(4096).nullable(),
    comment: z.string().max(1000),
    /** The false positive this exception answers, recorded in the audit log. */
    threatId: z.string().uuid().nullable(),
  })
  .refine((e) => e.sha256 !== null || e.path !== null, 'an exception names a sha256 or a path');
export type CreatePolicyExceptionRequest = z.infer<typeof CreatePolicyExceptionRequest>;

export const PolicyChange = z.object({
  version: z.number().int(),
  at: isoTime,
  by: z.string().nullable(),
  summary: z.string(),
});
export type PolicyChange = z.infer<typeof PolicyChange>;

// --- threats -------------------------------------------------------------------------------

export const ThreatListQuery = z.object({
  status: ThreatStatus.optional(),
  namespace: z.string().max(253).optional(),
  pod: z.string().max(253).optional(),
  image: z.string().max(512).optional(),
  agentId: z.string().uuid().optional(),
  driftClass: DriftClass.optional(),
  from: isoTime.optional(),
  to: isoTime.optional(),
  q: z.string().max(200).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  /** Opaque keyset cursor from the previous page's `nextCursor`. */
  cursor: z.string().max(200).optional(),
});
export type ThreatListQuery = z.infer<typeof ThreatListQuery>;

export const MitigationSummary = z.enum([
  'killed_quarantined',
  'killed',
  'quarantined',
  'detected',
  'failed',
]);
export type MitigationSummary = z.infer<typeof MitigationSummary>;

export const ThreatSummary = z.object({
  id: z.string().uuid(),
  detectedAt: isoTime,
  commandLine: z.string(),
  engine: Engine,
  driftClass: DriftClass,
  mode: PolicyMode,
  mitigation: MitigationSummary,
  filePath: z.string(),
  podName: z.string().nullable(),
  namespace: z.string().nullable(),
  image: z.string().nullable(),
  containerName: z.string().nullable(),
  node: z.string().nullable(),
  agentId: z.string().uuid(),
  hostname: z.string(),
  status: ThreatStatus,
  verdict: Verdict.nullable(),
});
export type ThreatSummary = z.infer<typeof ThreatSummary>;

export const ThreatPage = z.object({
  items: z.array(ThreatSummary),
  nextCursor: z.string().nullable(),
});
export type ThreatPage = z.infer<typeof ThreatPage>;

export const ThreatNote = z.object({
  id: z.string().uuid(),
  at: isoTime,
  by: z.string(),
  text: z.string(),
});
export type ThreatNote = z.infer<typeof ThreatNote>;

export const ThreatChange = z.object({
  at: isoTime,
  by: z.string(),
  field: z.enum(['status', 'verdict']),
  from: z.string().nullable(),
  to: z.string().nullable(),
});
export type ThreatChange = z.infer<typeof ThreatChange>;

export const ThreatDetail = ThreatSummary.extend({
  file: FileInfo,
  mitigations: z.array(Mitigation),
  container: ContainerInfo.nullable(),
  kubernetes: KubernetesInfo.nullable(),
  storylineId: z.string(),
  processId: z.string(),
  agentThreatId: z.string(),
  notes: z.array(ThreatNote),
  history: z.array(ThreatChange),
});
export type ThreatDetail = z.infer<typeof ThreatDetail>;

export const UpdateThreatRequest = z
  .object({
    status: ThreatStatus.optional(),
    verdict: Verdict.nullable().optional(),
    note: z.string().trim().min(1).max(10_000).optional(),
  })
  .refine((u) => Object.keys(u).length > 0, 'nothing to change');
export type UpdateThreatRequest = z.infer<typeof UpdateThreatRequest>;

export const BulkUpdateThreatsRequest = z.object({
  ids: z.array(z.string().uuid()).min(1).max(500),
  status: ThreatStatus,
});
export type BulkUpdateThreatsRequest = z.infer<typeof BulkUpdateThreatsRequest>;

/** How many of the requested threats changed status (unknown ids and no-ops are not counted). */
export const BulkUpdateThreatsResult = z.object({ updated: z.number().int().nonnegative() });
export type BulkUpdateThreatsResult = z.infer<typeof BulkUpdateThreatsResult>;

export const StorylineNode = ProcessNode.extend({ isThreat: z.boolean() });
export type StorylineNode = z.infer<typeof StorylineNode>;

export const StorylineView = z.object({
  storylineId: z.string(),
  origin: z.string(),
  threatProcessId: z.string(),
  nodes: z.array(StorylineNode),
});
export type StorylineView = z.infer<typeof StorylineView>;

export const CountBy = z.array(z.object({ key: z.string(), count: z.number().int() }));
export const ThreatStats = z.object({
  unresolved: z.number().int(),
  total: z.number().int(),
  perDay: z.array(z.object({ day: z.string(), count: z.number().int() })),
  topNamespaces: CountBy,
  topImages: CountBy,
  topDriftClasses: CountBy,
});
export type ThreatStats = z.infer<typeof ThreatStats>;

// --- quarantine, audit, webhooks -----------------------------------------------------------

export const QuarantineStatus = z.enum([
  'quarantined',
  'restore_pending',
  'restored',
  'delete_pending',
  'deleted',
  'command_failed',
]);
export type QuarantineStatus = z.infer<typeof QuarantineStatus>;

export const QuarantineItem = z.object({
  id: z.string().uuid(),
  agentId: z.string().uuid(),
  hostname: z.string(),
  threatId: z.string().uuid().nullable(),
  quarantineId: z.string(),
  path: z.string(),
  sha256: z.string().nullable(),
  size: z.number().int().nullable(),
  status: QuarantineStatus,
  lastDetail: z.string().nullable(),
  createdAt: isoTime,
  updatedAt: isoTime,
});
export type QuarantineItem = z.infer<typeof QuarantineItem>;

export const AuditEntry = z.object({
  id: z.string().uuid(),
  at: isoTime,
  actorType: z.enum(['user', 'api_token', 'agent', 'system']),
  actorId: z.string().nullable(),
  actorName: z.string().nullable(),
  action: z.string(),
  targetType: z.string().nullable(),
  targetId: z.string().nullable(),
  detail: z.record(z.string(), z.unknown()),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

export const AuditQuery = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(100),
  before: isoTime.optional(),
  action: z.string().max(100).optional(),
});
export type AuditQuery = z.infer<typeof AuditQuery>;

export const Webhook = z.object({
  id: z.string().uuid(),
  name: z.string(),
  url: z.string(),
  enabled: z.boolean(),
  createdAt: isoTime,
  lastDeliveryAt: isoTime.nullable(),
  lastDeliveryStatus: z.string().nullable(),
});
export type Webhook = z.infer<typeof Webhook>;

export const CreateWebhookRequest = z.object({
  name,
  url: z
    .string()
    .url()
    .max(2000)
    .refine((u) => /^https?:\/\//.test(u), 'http or https'),
});
export type CreateWebhookRequest = z.infer<typeof CreateWebhookRequest>;

/** Returned once: the HMAC-SHA256 key that signs every delivery (`X-Driftlock-Signature`). */
export const CreatedWebhook = z.object({ webhook: Webhook, secret: z.string() });
export type CreatedWebhook = z.infer<typeof CreatedWebhook>;

export const ApiError = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  message: z.string(),
  issues: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
});
export type ApiError = z.infer<typeof ApiError>;

// --- live updates (socket.io, namespace /live) ---------------------------------------------

export const LIVE_NAMESPACE = '/live';
export interface LiveEvents {
  'threat.created': (t: ThreatSummary) => void;
  'threat.updated': (t: ThreatSummary) => void;
  'agent.status': (a: Agent) => void;
  'policy.changed': (p: PolicyView) => void;
}
