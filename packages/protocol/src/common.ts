import { z } from 'zod';

/** Version of the agent <-> server message format; bumped on any breaking change. */
export const PROTOCOL_VERSION = 1;

/** An id chosen by the sender (agent message ids, threat ids, process ids): printable, bounded. */
export const clientId = z
  .string()
  .min(1)
  .max(128)
  .regex(/^[A-Za-z0-9._:-]+$/, 'only letters, digits and . _ : -');

export const isoTime = z.iso.datetime({ offset: true });

export const sha256Hex = z.string().regex(/^[a-f0-9]{64}$/, 'lower-case hex sha256');

/** Kubernetes-style labels: bounded so one pod cannot bloat every row it touches. */
export const labels = z
  .record(z.string().min(1).max(317), z.string().max(63))
  .refine((l) => Object.keys(l).length <= 64, 'at most 64 labels');

export const roles = ['admin', 'analyst', 'viewer'] as const;
export const Role = z.enum(roles);
export type Role = z.infer<typeof Role>;

export const policyModes = ['protect', 'detect'] as const;
export const PolicyMode = z.enum(policyModes);
export type PolicyMode = z.infer<typeof PolicyMode>;

/** What the sensor enforces for one container: `off` when Application Control is disabled. */
export const EnforcementMode = z.enum(['off', 'detect', 'protect']);
export type EnforcementMode = z.infer<typeof EnforcementMode>;

export const driftClasses = [
  'new_binary',
  'modified_binary',
  'new_script',
  'script_via_interpreter',
  'fileless',
  'non_image_fs',
] as const;
export const DriftClass = z.enum(driftClasses);
export type DriftClass = z.infer<typeof DriftClass>;

export const Engine = z.enum(['application_control']);
export type Engine = z.infer<typeof Engine>;

export const threatStatuses = ['unresolved', 'in_progress', 'resolved'] as const;
export const ThreatStatus = z.enum(threatStatuses);
export type ThreatStatus = z.infer<typeof ThreatStatus>;

export const verdicts = ['true_positive', 'false_positive', 'suspicious'] as const;
export const Verdict = z.enum(verdicts);
export type Verdict = z.infer<typeof Verdict>;

export const AgentKind = z.enum(['linux', 'kubernetes']);
export type AgentKind = z.infer<typeof AgentKind>;

export const ContainerRuntime = z.enum(['containerd', 'docker', 'cri-o', 'unknown']);
export type ContainerRuntime = z.infer<typeof ContainerRuntime>;

/** How a storyline's root process was started. */
export const StorylineOrigin = z.enum([
  'kubectl_exec',
  'docker_exec',
  'container_start',
  'host',
  'unknown',
]);
export type StorylineOrigin = z.infer<typeof StorylineOrigin>;
