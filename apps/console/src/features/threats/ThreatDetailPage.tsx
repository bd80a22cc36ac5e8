import {
  verdicts,
  threatStatuses,
  type Mitigation,
  type ThreatDetail,
  type ThreatStatus,
  type Verdict,
} from '@driftlock/protocol';
import {
  Anchor,
  Badge,
  Button,
  Code,
  Grid,
  Group,
  Pill,
  SegmentedControl,
  Select,
  Stack,
  Table,
  Text,
  Textarea,
  Timeline,
  Title,
  Tooltip,
} from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router';
import { useHotkeys } from '@mantine/hooks';
import { Can, useCan } from '../../auth/session';
import { StatusBadge, VerdictBadge } from '../../ui/badges';
import {
  driftClassLabels,
  formatBytes,
  formatTime,
  statusLabels,
  verdictLabels,
} from '../../ui/format';
import { notifyFailure } from '../../ui/notify';
import { Fields, Mono, QueryState, Section } from '../../ui/page';
import { QuarantineActions } from '../quarantine/QuarantineActions';
import { useQuarantine } from '../quarantine/queries';
import { CreateExceptionButton } from './CreateException';
import { useThreat, useUpdateThreat } from './queries';

export function ThreatDetailPage() {
  const { id = '' } = useParams();
  const threat = useThreat(id);
  return (
    <QueryState query={threat}>
      {() => threat.data && <Forensics threat={threat.data} />}
    </QueryState>
  );
}

const engineLabels: Record<ThreatDetail['engine'], string> = {
  application_control: 'Application Control',
};

function Forensics({ threat }: { threat: ThreatDetail }) {
  const navigate = useNavigate();
  useHotkeys([
    ['s', () => navigate(`/threats/${threat.id}/storyline`)],
    ['u', () => navigate(-1)],
  ]);
  const k8s = threat.kubernetes;
  const container = threat.container;
  return (
    <Stack gap="sm" data-testid="threat-detail" data-threat-id={threat.id}>
      <Group justify="space-between" align="flex-start" wrap="nowrap">
        <Stack gap={4}>
          <Group gap="xs">
            <Anchor component={Link} to="/threats" size="sm">
              ← Threats
            </Anchor>
            <StatusBadge status={threat.status} />
            <VerdictBadge verdict={threat.verdict} />
          </Group>
          <Title
            order={3}
            ff="monospace"
            data-testid="threat-command-line"
            style={{ wordBreak: 'break-all' }}
          >
            {threat.commandLine}
          </Title>
          <MitigationBadges mitigations={threat.mitigations} />
        </Stack>
        <Group gap="xs" wrap="nowrap">
          <Button
            component={Link}
            to={`/threats/${threat.id}/storyline`}
            size="xs"
            data-testid="open-storyline"
          >
            Storyline
          </Button>
          <CreateExceptionButton threat={threat} />
        </Group>
      </Group>

      <Grid gap="sm">
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Stack gap="sm">
            <Section title="Detection" testId="threat-detection">
              <Fields
                fields={[
                  { label: 'Engine', value: engineLabels[threat.engine], testId: 'threat-engine' },
                  {
                    label: 'Drift class',
                    value: driftClassLabels[threat.driftClass],
                    testId: 'threat-drift-class',
                  },
                  { label: 'Mode', value: threat.mode, testId: 'threat-mode' },
                  {
                    label: 'Detected',
                    value: formatTime(threat.detectedAt),
                    testId: 'threat-detected-at',
                  },
                  { label: 'Agent threat id', value: <Mono>{threat.agentThreatId}</Mono> },
                  { label: 'Process id', value: <Mono>{threat.processId}</Mono> },
                ]}
              />
            </Section>
            <Section title="Mitigation" testId="threat-mitigations">
              <MitigationTable mitigations={threat.mitigations} />
            </Section>
            <Section title="File" testId="threat-file">
              <Fields
                cols={1}
                fields={[
                  {
                    label: 'Path',
                    value: <Mono>{threat.file.path}</Mono>,
                    testId: 'threat-file-path',
                  },
                  {
                    label: 'Size',
                    value: formatBytes(threat.file.size),
                    testId: 'threat-file-size',
                  },
                  {
                    label: 'sha256',
                    value: <Mono>{threat.file.sha256 ?? '—'}</Mono>,
                    testId: 'threat-file-sha256',
                  },
                ]}
              />
              <QuarantineForThreat threatId={threat.id} />
            </Section>
            <Section title="Container" testId="threat-container">
              {container ? (
                <Fields
                  fields={[
                    { label: 'Name', value: container.name, testId: 'threat-container-name' },
                    {
                      label: 'Runtime',
                      value: container.runtime,
                      testId: 'threat-container-runtime',
                    },
                    {
                      label: 'Id',
                      value: <Mono>{container.id}</Mono>,
                      testId: 'threat-container-id',
                    },
                    { label: 'Started', value: formatTime(container.startedAt) },
                    {
                      label: 'Image',
                      value: <Mono>{container.image}</Mono>,
                      testId: 'threat-image',
                    },
                    {
                      label: 'Image digest',
                      value: <Mono>{container.imageDigest ?? '—'}</Mono>,
                      testId: 'threat-image-digest',
                    },
                  ]}
                />
              ) : (
                <Text size="sm" c="dimmed">
                  Not in a container.
                </Text>
              )}
            </Section>
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 6 }}>
          <Stack gap="sm">
            <Section title="Kubernetes" testId="threat-kubernetes">
              {k8s ? (
                <Stack gap="xs">
                  <Fields
                    fields={[
                      { label: 'Pod', value: k8s.podName, testId: 'threat-pod' },
                      { label: 'Namespace', value: k8s.namespace, testId: 'threat-namespace' },
                      { label: 'Node', value: k8s.node, testId: 'threat-node' },
                      { label: 'Cluster', value: k8s.cluster ?? '—', testId: 'threat-cluster' },
                      { label: 'Container', value: k8s.containerName },
                      { label: 'Pod uid', value: <Mono>{k8s.podUid}</Mono> },
                    ]}
                  />
                  <Stack gap={2}>
                    <Text size="xs" c="dimmed">
                      Pod labels
                    </Text>
                    <Group gap={4} data-testid="threat-pod-labels">
                      {Object.entries(k8s.podLabels).length === 0 && <Text size="sm">—</Text>}
                      {Object.entries(k8s.podLabels).map(([key, value]) => (
                        <Pill key={key} size="sm" data-testid="pod-label">
                          {key}={value}
                        </Pill>
                      ))}
                    </Group>
                  </Stack>
                </Stack>
              ) : (
                <Text size="sm" c="dimmed">
                  Not a Kubernetes workload.
                </Text>
              )}
            </Section>
            <Section title="Agent" testId="threat-agent">
              <Fields
                fields={[
                  { label: 'Host', value: threat.hostname, testId: 'threat-hostname' },
                  { label: 'Agent id', value: <Mono>{threat.agentId}</Mono> },
                ]}
              />
            </Section>
            <Workflow threat={threat} />
          </Stack>
        </Grid.Col>
      </Grid>
    </Stack>
  );
}

export function MitigationBadges({ mitigations }: { mitigations: Mitigation[] }) {
  return (
    <Group gap={6} data-testid="mitigation-badges">
      {mitigations.map((m, i) => {
        if (m.action === 'kill' && m.outcome === 'succeeded')
          return (
            <Badge
              key={i}
              color="red"
              variant="filled"
              radius="sm"
              tt="none"
              data-testid="badge-killed"
            >
              KILLED{m.exitCode !== null ? ` · exit ${m.exitCode}` : ''}
            </Badge>
          );
        if (m.action === 'quarantine' && m.outcome === 'succeeded')
          return (
            <Tooltip key={i} label={m.sha256 ?? 'sha256 unknown'}>
              <Badge
                color="orange"
                variant="filled"
                radius="sm"
                tt="none"
                data-testid="badge-quarantined"
              >
                QUARANTINED{m.sha256 ? ` · sha256 ${m.sha256.slice(0, 12)}` : ''}
              </Badge>
            </Tooltip>
          );
        if (m.outcome === 'failed')
          return (
            <Badge key={i} color="gray" variant="filled" radius="sm" data-testid="badge-failed">
              {m.action.toUpperCase()} FAILED
            </Badge>
          );
        return null;
      })}
      {mitigations.every((m) => m.outcome !== 'succeeded') && (
        <Badge color="yellow" variant="filled" radius="sm" data-testid="badge-detected">
          DETECTED ONLY
        </Badge>
      )}
    </Group>
  );
}

function MitigationTable({ mitigations }: { mitigations: Mitigation[] }) {
  if (mitigations.length === 0)
    return (
      <Text size="sm" c="dimmed">
        No mitigation (detect mode).
      </Text>
    );
  return (
    <Table fz="xs" verticalSpacing={2}>
      <Table.Thead>
        <Table.Tr>
          <Table.Th>Action</Table.Th>
          <Table.Th>Result</Table.Th>
          <Table.Th>Detail</Table.Th>
          <Table.Th>At</Table.Th>
        </Table.Tr>
      </Table.Thead>
      <Table.Tbody>
        {mitigations.map((m, i) => (
          <Table.Tr
            key={i}
            data-testid="mitigation-row"
            data-action={m.action}
            data-outcome={m.outcome}
          >
            <Table.Td>{m.action}</Table.Td>
            <Table.Td>
              <Badge
                size="xs"
                color={
                  m.outcome === 'succeeded' ? 'green' : m.outcome === 'failed' ? 'red' : 'gray'
                }
              >
                {m.outcome}
              </Badge>
            </Table.Td>
            <Table.Td style={{ wordBreak: 'break-all' }}>
              <Stack gap={0}>
                <Text size="xs">{m.detail}</Text>
                {m.exitCode !== null && (
                  <Text size="xs" data-testid="mitigation-exit-code">
                    exit code {m.exitCode}
                    {m.killedInKernel ? ' · killed in kernel' : ''}
                  </Text>
                )}
                {m.sha256 && (
                  <Text size="xs" ff="monospace" data-testid="mitigation-sha256">
                    sha256 {m.sha256}
                  </Text>
                )}
                {m.quarantineId && (
                  <Text size="xs" ff="monospace">
                    quarantine id {m.quarantineId}
                  </Text>
                )}
              </Stack>
            </Table.Td>
            <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatTime(m.at)}</Table.Td>
          </Table.Tr>
        ))}
      </Table.Tbody>
    </Table>
  );
}

function QuarantineForThreat({ threatId }: { threatId: string }) {
  const quarantine = useQuarantine();
  const items = (quarantine.data ?? []).filter((q) => q.threatId === threatId);
  if (items.length === 0) return null;
  return (
    <Stack gap={4} mt="xs" data-testid="threat-quarantine">
      {items.map((q) => (
        <Group key={q.id} justify="space-between" wrap="nowrap">
          <Text size="xs">
            Quarantine <Code>{q.quarantineId}</Code> on {q.hostname}:{' '}
            <Badge size="xs" variant="light" data-testid="quarantine-status">
              {q.status}
            </Badge>
            {q.lastDetail ? ` ${q.lastDetail}` : ''}
          </Text>
          <QuarantineActions item={q} />
        </Group>
      ))}
    </Stack>
  );
}

function Workflow({ threat }: { threat: ThreatDetail }) {
  const canWrite = useCan('threats:write');
  const update = useUpdateThreat(threat.id);
  const [note, setNote] = useState('');
  const onError = notifyFailure('Threat not updated');

  const timeline = [
    ...threat.history.map((h) => ({
      at: h.at,
      key: `h-${h.at}-${h.field}`,
      title: `${h.by} set ${h.field}`,
      body: `${label(h.field, h.from)} → ${label(h.field, h.to)}`,
    })),
    ...threat.notes.map((n) => ({ at: n.at, key: n.id, title: `${n.by} noted`, body: n.text })),
  ].sort((a, b) => Date.parse(b.at) - Date.parse(a.at));

  return (
    <Section title="Status, verdict and notes" testId="threat-workflow">
      <Stack gap="xs">
        {canWrite ? (
          <Group gap="sm">
            <SegmentedControl
              size="xs"
              value={threat.status}
              data={threatStatuses.map((s) => ({ value: s, label: statusLabels[s] }))}
              onChange={(status) => update.mutate({ status: status as ThreatStatus }, { onError })}
              data-testid="threat-status-control"
            />
            <Select
              size="xs"
              w={170}
              placeholder="Verdict"
              aria-label="Verdict"
              clearable
              value={threat.verdict}
              data={verdicts.map((v) => ({ value: v, label: verdictLabels[v] }))}
              onChange={(v) =>
                update.mutate({ verdict: (v as Verdict | null) ?? null }, { onError })
              }
              data-testid="threat-verdict-control"
            />
          </Group>
        ) : (
          <Group gap="xs">
            <StatusBadge status={threat.status} />
            <VerdictBadge verdict={threat.verdict} />
          </Group>
        )}
        <Can permission="threats:write">
          <Stack gap={4}>
            <Textarea
              size="xs"
              autosize
              minRows={2}
              placeholder="Add a note for the next analyst…"
              value={note}
              onChange={(e) => setNote(e.currentTarget.value)}
              data-testid="threat-note-input"
            />
            <Group justify="flex-end">
              <Button
                size="compact-xs"
                disabled={!note.trim()}
                loading={update.isPending && update.variables?.note !== undefined}
                onClick={() =>
                  update.mutate({ note: note.trim() }, { onError, onSuccess: () => setNote('') })
                }
                data-testid="threat-note-add"
              >
                Add note
              </Button>
            </Group>
          </Stack>
        </Can>
        <Timeline bulletSize={10} lineWidth={1} data-testid="threat-history">
          {timeline.map((t) => (
            <Timeline.Item
              key={t.key}
              title={
                <Text size="xs" fw={600}>
                  {t.title}
                </Text>
              }
            >
              <Text size="xs" style={{ whiteSpace: 'pre-wrap' }}>
                {t.body}
              </Text>
              <Text size="xs" c="dimmed">
                {formatTime(t.at)}
              </Text>
            </Timeline.Item>
          ))}
          <Timeline.Item
            title={
              <Text size="xs" fw={600}>
                Detected
              </Text>
            }
          >
            <Text size="xs" c="dimmed">
              {formatTime(threat.detectedAt)}
            </Text>
          </Timeline.Item>
        </Timeline>
      </Stack>
    </Section>
  );
}

function label(field: 'status' | 'verdict', value: string | null): string {
  if (value === null) return 'none';
  const labels: Record<string, string> = field === 'status' ? statusLabels : verdictLabels;
  return labels[value] ?? value;
}
