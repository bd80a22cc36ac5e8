import type { MitigationSummary, ThreatStatus, Verdict } from '@driftlock/protocol';
import { Badge, Group } from '@mantine/core';
import { mitigationLabels, statusLabels, verdictLabels } from './format';

const mitigationColor: Record<string, string> = {
  KILLED: 'red',
  QUARANTINED: 'orange',
  DETECTED: 'yellow',
  FAILED: 'gray',
};

export function MitigationSummaryBadges({ mitigation }: { mitigation: MitigationSummary }) {
  return (
    <Group gap={4} wrap="nowrap">
      {mitigationLabels[mitigation].map((label) => (
        <Badge key={label} size="xs" radius="sm" variant="filled" color={mitigationColor[label]}>
          {label}
        </Badge>
      ))}
    </Group>
  );
}

const statusColor: Record<ThreatStatus, string> = {
  unresolved: 'red',
  in_progress: 'yellow',
  resolved: 'green',
};

export function StatusBadge({ status }: { status: ThreatStatus }) {
  return (
    <Badge size="xs" radius="sm" variant="light" color={statusColor[status]} data-status={status}>
      {statusLabels[status]}
    </Badge>
  );
}

const verdictColor: Record<Verdict, string> = {
  true_positive: 'red',
  false_positive: 'teal',
  suspicious: 'orange',
};

export function VerdictBadge({ verdict }: { verdict: Verdict | null }) {
  if (!verdict) return null;
  return (
    <Badge size="xs" radius="sm" variant="outline" color={verdictColor[verdict]}>
      {verdictLabels[verdict]}
    </Badge>
  );
}

export function OnlineBadge({ status }: { status: 'online' | 'offline' | 'decommissioned' }) {
  const color = status === 'online' ? 'green' : status === 'offline' ? 'red' : 'gray';
  return (
    <Badge size="xs" radius="sm" variant="dot" color={color} data-status={status}>
      {status}
    </Badge>
  );
}
