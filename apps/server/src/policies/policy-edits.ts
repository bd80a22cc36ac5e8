import type {
  CreatePolicyExceptionRequest,
  DeletePolicyOverrideQuery,
  PolicyDocument,
  PolicyException,
  PolicyOverride,
  PolicySettings,
} from '@driftlock/protocol';

/** One change to the policy: the new document's content and how the history describes it. */
export interface PolicyEdit {
  apply(doc: PolicyDocument): Omit<PolicyDocument, 'version'>;
  summary: string;
}

export class PolicyEditError extends Error {
  constructor(
    message: string,
    readonly kind: 'not_found',
  ) {
    super(message);
  }
}

function describe(s: PolicySettings): string {
  return s.enabled ? `on, ${s.mode}` : 'off';
}

function overrideTarget(o: { scope: string; cluster: string | null; namespace?: string | null }) {
  if (o.scope === 'cluster') return `cluster ${o.cluster}`;
  return o.cluster
    ? `namespace ${o.namespace} in cluster ${o.cluster}`
    : `namespace ${o.namespace}`;
}

function sameTarget(a: PolicyOverride, scope: string, cluster: string | null, ns: string | null) {
  if (a.scope !== scope || a.cluster !== cluster) return false;
  return a.scope === 'cluster' || a.namespace === ns;
}

export function setDefault(settings: PolicySettings): PolicyEdit {
  return {
    summary: `default set to ${describe(settings)}`,
    apply: (doc) => ({ ...doc, default: { enabled: settings.enabled, mode: settings.mode } }),
  };
}

export function putOverride(override: PolicyOverride): PolicyEdit {
  const ns = override.scope === 'namespace' ? override.namespace : null;
  return {
    summary: `${overrideTarget(override)} set to ${describe(override)}`,
    apply: (doc) => ({
      ...doc,
      overrides: [
        ...doc.overrides.filter((o) => !sameTarget(o, override.scope, override.cluster, ns)),
        override,
      ],
    }),
  };
}

export function deleteOverride(q: DeletePolicyOverrideQuery): PolicyEdit {
  const cluster = q.cluster ?? null;
  const ns = q.namespace ?? null;
  const target = overrideTarget({ scope: q.scope, cluster, namespace: ns });
  return {
    summary: `override for ${target} removed`,
    apply: (doc) => {
      const overrides = doc.overrides.filter((o) => !sameTarget(o, q.scope, cluster, ns));
      if (overrides.length === doc.overrides.length) {
        throw new PolicyEditError(`policy has no override for ${target}`, 'not_found');
      }
      return { ...doc, overrides };
    },
  };
}

export function addException(req: CreatePolicyExceptionRequest, exception: PolicyException) {
  const what = [req.sha256 && `sha256 ${req.sha256}`, req.path && `path ${req.path}`]
    .filter(Boolean)
    .join(', ');
  return {
    summary: `exception added for ${what}`,
    apply: (doc: PolicyDocument) => ({ ...doc, exceptions: [...doc.exceptions, exception] }),
  } satisfies PolicyEdit;
}

export function deleteException(id: string): PolicyEdit {
  return {
    summary: `exception ${id} removed`,
    apply: (doc) => {
      const exceptions = doc.exceptions.filter((e) => e.id !== id);
      if (exceptions.length === doc.exceptions.length) {
        throw new PolicyEditError(`policy has no exception ${id}`, 'not_found');
      }
      return { ...doc, exceptions };
    },
  };
}
