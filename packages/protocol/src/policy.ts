import { z } from 'zod';
import { EnforcementMode, isoTime, PolicyMode, sha256Hex } from './common';

/** The one-click toggle: Application Control on/off and its mode. */
export const PolicySettings = z.object({ enabled: z.boolean(), mode: PolicyMode });
export type PolicySettings = z.infer<typeof PolicySettings>;

const k8sName = z
  .string()
  .min(1)
  .max(253)
  .regex(/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/, 'a Kubernetes name (lower-case, digits, - and .)');

/** An override of the default for one cluster, or one namespace (in one cluster or in all). */
export const PolicyOverride = z.discriminatedUnion('scope', [
  z.object({ scope: z.literal('cluster'), cluster: k8sName, ...PolicySettings.shape }),
  z.object({
    scope: z.literal('namespace'),
    cluster: k8sName.nullable(),
    namespace: k8sName,
    ...PolicySettings.shape,
  }),
]);
export type PolicyOverride = z.infer<typeof PolicyOverride>;

/** A known-good file that may run even where protection is on. */
export const PolicyException = z
  .object({
    id: z.string().uuid(),
    sha256: sha256Hex.nullable(),
    path: z.string().min(1).max(4096).nullable(),
    comment: z.string().max(1000),
    createdAt: isoTime,
  })
  .refine((e) => e.sha256 !== null || e.path !== null, 'an exception names a sha256 or a path');
export type PolicyException = z.infer<typeof PolicyException>;

/** The whole Application Control policy, as pushed to agents; `version` grows with every change. */
export const PolicyDocument = z.object({
  version: z.number().int().positive(),
  default: PolicySettings,
  overrides: z.array(PolicyOverride).max(10_000),
  exceptions: z.array(PolicyException).max(10_000),
});
export type PolicyDocument = z.infer<typeof PolicyDocument>;

export interface WorkloadScope {
  cluster: string | null;
  namespace: string | null;
}

/**
 * The setting that applies to a workload: a namespace override in its cluster wins over a
 * namespace override for all clusters, which wins over the cluster's override, then the default.
 */
export function effectiveSettings(
  policy: Pick<PolicyDocument, 'default' | 'overrides'>,
  scope: WorkloadScope,
): PolicySettings {
  const namespaceRules = policy.overrides.filter(
    (o) => o.scope === 'namespace' && o.namespace === scope.namespace,
  );
  const match =
    namespaceRules.find((o) => o.cluster !== null && o.cluster === scope.cluster) ??
    namespaceRules.find((o) => o.cluster === null) ??
    policy.overrides.find((o) => o.scope === 'cluster' && o.cluster === scope.cluster);
  return match ? { enabled: match.enabled, mode: match.mode } : policy.default;
}

export function enforcementMode(settings: PolicySettings): EnforcementMode {
  return settings.enabled ? settings.mode : 'off';
}
