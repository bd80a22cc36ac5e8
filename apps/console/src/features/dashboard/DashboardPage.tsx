import type { PolicyView, ThreatStats } from '@driftlock/protocol';
import {
  Anchor,
  Badge,
  Grid,
  Group,
  Paper,
  Progress,
  SimpleGrid,
  Stack,
  Text,
} from '@mantine/core';
import { Link } from 'react-router';
import { useCan } from '../../auth/session';
import { driftClassLabels, labelOf } from '../../ui/format';
import { ErrorAlert, PageHeader, Section } from '../../ui/page';
import { useAgents } from '../agents/queries';
import { usePolicy } from '../policy/queries';
import { useThreatStats } from '../threats/queries';
import { ThreatsChart } from './ThreatsChart';

function Stat({
  label,
  value,
  to,
  color,
  testId,
}: {
  label: string;
  value: React.ReactNode;
  to?: string;
  color?: string;
  testId: string;
}) {
  const body = (
    <Paper withBorder p="sm" data-testid={testId}>
      <Text size="xs" c="dimmed" tt="uppercase" fw={600}>
        {label}
      </Text>
      <Text size="xl" fw={700} c={color} data-testid={`${testId}-value`}>
        {value}
      </Text>
    </Paper>
  );
  return to ? (
    <Anchor component={Link} to={to} underline="never" c="inherit">
      {body}
    </Anchor>
  ) : (
    body
  );
}

export function DashboardPage() {
  const stats = useThreatStats();
  const agents = useAgents();
  const canSeePolicy = useCan('policy:read');
  const policy = usePolicy();
  const online = (agents.data ?? []).filter((a) => a.status === 'online').length;
  const offline = (agents.data ?? []).filter((a) => a.status === 'offline').length;
  return (
    <Stack gap="sm" data-testid="dashboard">
      <PageHeader title="Dashboard" />
      {stats.error && <ErrorAlert error={stats.error} />}
      <SimpleGrid cols={{ base: 2, md: 5 }} spacing="sm">
        <Stat
          label="Unresolved threats"
          value={stats.data?.unresolved ?? '…'}
          color={stats.data?.unresolved ? 'red' : 'green'}
          to="/threats?status=unresolved"
          testId="stat-unresolved"
        />
        <Stat
          label="Threats (all time)"
          value={stats.data?.total ?? '…'}
          to="/threats"
          testId="stat-total"
        />
        <Stat
          label="Agents online"
          value={agents.data ? online : '…'}
          color="green"
          to="/fleet"
          testId="stat-agents-online"
        />
        <Stat
          label="Agents offline"
          value={agents.data ? offline : '…'}
          color={offline ? 'red' : undefined}
          to="/fleet"
          testId="stat-agents-offline"
        />
        {canSeePolicy && <ProtectionStat policy={policy.data} />}
      </SimpleGrid>
      <Grid gap="sm">
        <Grid.Col span={{ base: 12, lg: 8 }}>
          <Section title="Threats over time">
            {stats.data ? <ThreatsChart perDay={stats.data.perDay} /> : <Text size="sm">…</Text>}
          </Section>
        </Grid.Col>
        <Grid.Col span={{ base: 12, lg: 4 }}>
          {policy.data && <ProtectionDetail policy={policy.data} />}
        </Grid.Col>
      </Grid>
      {stats.data && <TopLists stats={stats.data} />}
    </Stack>
  );
}

function ProtectionStat({ policy }: { policy: PolicyView | undefined }) {
  const state = policy ? (policy.default.enabled ? policy.default.mode : 'off') : '…';
  const color = state === 'protect' ? 'green' : state === 'detect' ? 'yellow' : 'red';
  return (
    <Stat
      label="Protection (fleet)"
      value={
        <Badge size="lg" color={color} variant="filled" data-state={state}>
          {state.toUpperCase()}
        </Badge>
      }
      to="/policy"
      testId="stat-protection"
    />
  );
}

function ProtectionDetail({ policy }: { policy: PolicyView }) {
  const applied = policy.agentsConnected
    ? (policy.agentsApplied / policy.agentsConnected) * 100
    : 0;
  const offOverrides = policy.overrides.filter((o) => !o.enabled).length;
  return (
    <Section title="Protection state" testId="protection-state">
      <Stack gap={6}>
        <Group justify="space-between">
          <Text size="sm">Application Control</Text>
          <Badge color={policy.default.enabled ? 'green' : 'red'}>
            {policy.default.enabled ? 'ON' : 'OFF'}
          </Badge>
        </Group>
        <Group justify="space-between">
          <Text size="sm">Mode</Text>
          <Badge color={policy.default.mode === 'protect' ? 'green' : 'yellow'} variant="light">
            {policy.default.mode}
          </Badge>
        </Group>
        <Group justify="space-between">
          <Text size="sm">Overrides</Text>
          <Text size="sm">
            {policy.overrides.length}
            {offOverrides ? ` (${offOverrides} turned off)` : ''}
          </Text>
        </Group>
        <Group justify="space-between">
          <Text size="sm">Exceptions</Text>
          <Text size="sm">{policy.exceptions.length}</Text>
        </Group>
        <Text size="sm">
          Policy v{policy.version} applied by {policy.agentsApplied}/{policy.agentsConnected} agents
        </Text>
        <Progress value={applied} color={applied === 100 ? 'green' : 'yellow'} />
      </Stack>
    </Section>
  );
}

function TopList({
  title,
  rows,
  param,
  label = (k) => k,
  testId,
}: {
  title: string;
  rows: ThreatStats['topNamespaces'];
  param: string;
  label?: (key: string) => string;
  testId: string;
}) {
  const top = Math.max(1, ...rows.map((r) => r.count));
  return (
    <Section title={title} testId={testId}>
      <Stack gap={4}>
        {rows.length === 0 && (
          <Text size="sm" c="dimmed">
            Nothing yet.
          </Text>
        )}
        {rows.slice(0, 8).map((r) => (
          <Anchor
            key={r.key}
            component={Link}
            to={`/threats?${new URLSearchParams({ [param]: r.key }).toString()}`}
            underline="never"
            c="inherit"
          >
            <Group justify="space-between" gap={6} wrap="nowrap">
              <Text size="sm" truncate>
                {label(r.key)}
              </Text>
              <Text size="sm" fw={600}>
                {r.count}
              </Text>
            </Group>
            <Progress size="xs" value={(r.count / top) * 100} color="red" />
          </Anchor>
        ))}
      </Stack>
    </Section>
  );
}

function TopLists({ stats }: { stats: ThreatStats }) {
  return (
    <SimpleGrid cols={{ base: 1, md: 3 }} spacing="sm">
      <TopList
        title="Top namespaces"
        rows={stats.topNamespaces}
        param="namespace"
        testId="top-namespaces"
      />
      <TopList title="Top images" rows={stats.topImages} param="image" testId="top-images" />
      <TopList
        title="Top drift classes"
        rows={stats.topDriftClasses}
        param="driftClass"
        label={(k) => labelOf(driftClassLabels, k)}
        testId="top-drift-classes"
      />
    </SimpleGrid>
  );
}
