import type { PolicyOverride, PolicySettings, PolicyView } from '@driftlock/protocol';
import {
  ActionIcon,
  Button,
  Group,
  Progress,
  SegmentedControl,
  Stack,
  Switch,
  Table,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { useState } from 'react';
import { useCan } from '../../auth/session';
import { formatAgo, formatTime, shortHash } from '../../ui/format';
import { notifyFailure } from '../../ui/notify';
import { ErrorAlert, Mono, PageHeader, QueryState, Section } from '../../ui/page';
import { PolicyToggle } from './PolicyToggle';
import {
  useDeleteException,
  useDeleteOverride,
  usePolicy,
  usePolicyHistory,
  usePutOverride,
  useSetDefault,
} from './queries';

export function PolicyPage() {
  const policy = usePolicy();
  return (
    <Stack gap="sm">
      <PageHeader
        title="Application Control"
        description="Anything that runs in a container but is not part of its image is drift. Protect kills it before its first instruction; detect only reports it."
      />
      <QueryState query={policy}>
        {() => policy.data && <PolicyBody policy={policy.data} />}
      </QueryState>
    </Stack>
  );
}

function PolicyBody({ policy }: { policy: PolicyView }) {
  return (
    <Stack gap="sm">
      <FleetDefault policy={policy} />
      <Overrides policy={policy} />
      <Exceptions policy={policy} />
      <History />
    </Stack>
  );
}

export function FleetDefault({ policy }: { policy: PolicyView }) {
  const canWrite = useCan('policy:write');
  const setDefault = useSetDefault();
  const pending = setDefault.isPending ? setDefault.variables : undefined;
  const applied = policy.agentsConnected
    ? Math.round((policy.agentsApplied / policy.agentsConnected) * 100)
    : 0;
  return (
    <Section title="Whole fleet (default)" testId="policy-default">
      <Group justify="space-between" align="center">
        <PolicyToggle
          saved={policy.default}
          pending={pending}
          canWrite={canWrite}
          size="lg"
          testId="policy-toggle"
          onChange={(settings) =>
            setDefault.mutate(settings, { onError: notifyFailure('Policy not changed') })
          }
        />
        <Stack gap={2} align="flex-end">
          <Text size="sm" data-testid="policy-updated">
            Version <b data-testid="policy-version">{policy.version}</b> · changed by{' '}
            <b data-testid="policy-updated-by">{policy.updatedBy ?? 'system'}</b>{' '}
            <Tooltip label={formatTime(policy.updatedAt)}>
              <span>{formatAgo(policy.updatedAt)}</span>
            </Tooltip>
          </Text>
          <Group gap="xs" wrap="nowrap">
            <Text size="sm" data-testid="policy-agents-applied">
              Applied by {policy.agentsApplied}/{policy.agentsConnected} connected agents
            </Text>
            <Progress
              w={120}
              value={applied}
              color={applied === 100 ? 'green' : 'yellow'}
              aria-label="agents applied"
            />
          </Group>
        </Stack>
      </Group>
      {setDefault.error && <ErrorAlert error={setDefault.error} title="Policy not changed" />}
    </Section>
  );
}

function overrideKey(o: PolicyOverride): string {
  return o.scope === 'cluster'
    ? `cluster/${o.cluster}`
    : `namespace/${o.cluster ?? '*'}/${o.namespace}`;
}

function Overrides({ policy }: { policy: PolicyView }) {
  const canWrite = useCan('policy:write');
  const putOverride = usePutOverride();
  const deleteOverride = useDeleteOverride();
  const pendingKey =
    putOverride.isPending && putOverride.variables ? overrideKey(putOverride.variables) : null;
  return (
    <Section title={`Overrides (${policy.overrides.length})`} testId="policy-overrides">
      <Table striped highlightOnHover verticalSpacing={4} fz="sm">
        <Table.Thead>
          <Table.Tr>
            <Table.Th>Scope</Table.Th>
            <Table.Th>Cluster</Table.Th>
            <Table.Th>Namespace</Table.Th>
            <Table.Th>Setting</Table.Th>
            {canWrite && <Table.Th />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {policy.overrides.length === 0 && (
            <Table.Tr>
              <Table.Td colSpan={5}>
                <Text size="sm" c="dimmed">
                  No overrides: every workload follows the fleet default.
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
          {policy.overrides.map((o) => {
            const key = overrideKey(o);
            return (
              <Table.Tr key={key} data-testid="policy-override-row" data-key={key}>
                <Table.Td>{o.scope}</Table.Td>
                <Table.Td>{o.cluster ?? <Text c="dimmed">all clusters</Text>}</Table.Td>
                <Table.Td>{o.scope === 'namespace' ? o.namespace : '—'}</Table.Td>
                <Table.Td>
                  <PolicyToggle
                    saved={{ enabled: o.enabled, mode: o.mode }}
                    pending={
                      pendingKey === key && putOverride.variables
                        ? {
                            enabled: putOverride.variables.enabled,
                            mode: putOverride.variables.mode,
                          }
                        : undefined
                    }
                    canWrite={canWrite}
                    size="xs"
                    testId="policy-override-toggle"
                    onChange={(settings) =>
                      putOverride.mutate(
                        { ...o, ...settings },
                        { onError: notifyFailure('Override not changed') },
                      )
                    }
                  />
                </Table.Td>
                {canWrite && (
                  <Table.Td ta="right">
                    <Button
                      size="compact-xs"
                      variant="light"
                      color="red"
                      data-testid="policy-override-delete"
                      loading={
                        deleteOverride.isPending && deleteOverride.variables?.scope === o.scope
                      }
                      onClick={() =>
                        deleteOverride.mutate(
                          o.scope === 'cluster'
                            ? { scope: 'cluster', cluster: o.cluster }
                            : {
                                scope: 'namespace',
                                cluster: o.cluster ?? undefined,
                                namespace: o.namespace,
                              },
                          { onError: notifyFailure('Override not removed') },
                        )
                      }
                    >
                      Remove
                    </Button>
                  </Table.Td>
                )}
              </Table.Tr>
            );
          })}
        </Table.Tbody>
      </Table>
      {canWrite && <AddOverride onAdd={(o) => putOverride.mutateAsync(o)} />}
    </Section>
  );
}

function AddOverride({ onAdd }: { onAdd: (o: PolicyOverride) => Promise<unknown> }) {
  const [scope, setScope] = useState<'cluster' | 'namespace'>('namespace');
  const [cluster, setCluster] = useState('');
  const [namespace, setNamespace] = useState('');
  const [settings, setSettings] = useState<PolicySettings>({ enabled: true, mode: 'protect' });
  const [error, setError] = useState<unknown>(null);
  const [saving, setSaving] = useState(false);

  const submit = async () => {
    const override: PolicyOverride =
      scope === 'cluster'
        ? { scope, cluster: cluster.trim(), ...settings }
        : { scope, cluster: cluster.trim() || null, namespace: namespace.trim(), ...settings };
    setSaving(true);
    setError(null);
    try {
      await onAdd(override);
      setCluster('');
      setNamespace('');
    } catch (e) {
      setError(e);
    } finally {
      setSaving(false);
    }
  };

  return (
    <Stack gap={4} mt="xs">
      <Group gap="xs" align="flex-end" data-testid="policy-override-form">
        <SegmentedControl
          size="xs"
          value={scope}
          onChange={(v) => setScope(v === 'cluster' ? 'cluster' : 'namespace')}
          data={[
            { value: 'namespace', label: 'Namespace' },
            { value: 'cluster', label: 'Cluster' },
          ]}
        />
        <TextInput
          size="xs"
          placeholder={scope === 'cluster' ? 'cluster' : 'cluster (blank: all)'}
          aria-label="Cluster"
          value={cluster}
          onChange={(e) => setCluster(e.currentTarget.value)}
          data-testid="policy-override-cluster"
        />
        {scope === 'namespace' && (
          <TextInput
            size="xs"
            placeholder="namespace"
            aria-label="Namespace"
            value={namespace}
            onChange={(e) => setNamespace(e.currentTarget.value)}
            data-testid="policy-override-namespace"
          />
        )}
        <Switch
          size="sm"
          label="Enabled"
          checked={settings.enabled}
          onChange={(e) => setSettings({ ...settings, enabled: e.currentTarget.checked })}
        />
        <SegmentedControl
          size="xs"
          value={settings.mode}
          onChange={(m) =>
            setSettings({ ...settings, mode: m === 'detect' ? 'detect' : 'protect' })
          }
          data={[
            { value: 'protect', label: 'Protect' },
            { value: 'detect', label: 'Detect' },
          ]}
        />
        <Button
          size="xs"
          onClick={() => void submit()}
          loading={saving}
          data-testid="policy-override-add"
          disabled={scope === 'cluster' ? !cluster.trim() : !namespace.trim()}
        >
          Add override
        </Button>
      </Group>
      {error !== null && <ErrorAlert error={error} title="Override not saved" />}
    </Stack>
  );
}

function Exceptions({ policy }: { policy: PolicyView }) {
  const canWrite = useCan('policy:write');
  const deleteException = useDeleteException();
  return (
    <Section title={`Exceptions (${policy.exceptions.length})`} testId="policy-exceptions">
      {policy.exceptions.length === 0 ? (
        <Text size="sm" c="dimmed">
          No exceptions. Create one from a false positive on its threat page.
        </Text>
      ) : (
        <Table verticalSpacing={4} fz="sm" striped>
          <Table.Thead>
            <Table.Tr>
              <Table.Th>sha256</Table.Th>
              <Table.Th>Path</Table.Th>
              <Table.Th>Comment</Table.Th>
              <Table.Th>Created</Table.Th>
              {canWrite && <Table.Th />}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {policy.exceptions.map((e) => (
              <Table.Tr key={e.id} data-testid="policy-exception-row">
                <Table.Td>
                  <Tooltip label={e.sha256 ?? 'any'} disabled={!e.sha256}>
                    <Mono>{e.sha256 ? shortHash(e.sha256, 16) : 'any'}</Mono>
                  </Tooltip>
                </Table.Td>
                <Table.Td>
                  <Mono>{e.path ?? 'any path'}</Mono>
                </Table.Td>
                <Table.Td>{e.comment}</Table.Td>
                <Table.Td>{formatTime(e.createdAt)}</Table.Td>
                {canWrite && (
                  <Table.Td ta="right">
                    <ActionIcon
                      variant="light"
                      color="red"
                      aria-label="Remove exception"
                      loading={deleteException.isPending && deleteException.variables === e.id}
                      onClick={() =>
                        deleteException.mutate(e.id, {
                          onError: notifyFailure('Exception not removed'),
                        })
                      }
                    >
                      ✕
                    </ActionIcon>
                  </Table.Td>
                )}
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
    </Section>
  );
}

function History() {
  const history = usePolicyHistory();
  return (
    <Section title="Who changed what" testId="policy-history">
      <QueryState query={history}>
        {() => (
          <Table verticalSpacing={2} fz="sm">
            <Table.Tbody>
              {(history.data ?? []).slice(0, 50).map((c) => (
                <Table.Tr key={c.version} data-testid="policy-history-row">
                  <Table.Td w={60}>v{c.version}</Table.Td>
                  <Table.Td w={180}>{formatTime(c.at)}</Table.Td>
                  <Table.Td w={160}>{c.by ?? 'system'}</Table.Td>
                  <Table.Td>{c.summary}</Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
    </Section>
  );
}
