import type { Agent, EnrollmentToken } from '@driftlock/protocol';
import {
  Badge,
  Button,
  Group,
  Modal,
  NumberInput,
  Select,
  Stack,
  Table,
  Text,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { useState } from 'react';
import { errorMessage } from '../../api/client';
import { Can, useCan } from '../../auth/session';
import { OnlineBadge } from '../../ui/badges';
import { formatAgo, formatTime } from '../../ui/format';
import { CopyBlock, ErrorAlert, PageHeader, QueryState, Section } from '../../ui/page';
import { daemonSetSecret, linuxInstallCommand } from './install';
import {
  useAgents,
  useCreateEnrollmentToken,
  useDecommission,
  useEnrollmentTokens,
  useRevokeEnrollmentToken,
} from './queries';

export function AgentsPage() {
  const canWrite = useCan('agents:write');
  return (
    <Stack gap="sm">
      <PageHeader
        title="Agents"
        description="Host agents enrolled in this server, with their live state."
      />
      <AgentInventory />
      {canWrite && <EnrollmentTokens />}
    </Stack>
  );
}

function AgentInventory() {
  const agents = useAgents();
  const decommission = useDecommission();
  const confirmDecommission = (a: Agent) =>
    modals.openConfirmModal({
      title: `Decommission ${a.hostname}?`,
      children:
        'Its credentials stop working at once: the agent is disconnected and cannot reconnect. Its threats stay.',
      labels: { confirm: 'Decommission', cancel: 'Cancel' },
      confirmProps: { color: 'red', 'data-testid': 'decommission-confirm' },
      onConfirm: () =>
        decommission.mutate(a.id, {
          onError: (e) =>
            notifications.show({
              color: 'red',
              title: 'Not decommissioned',
              message: errorMessage(e),
            }),
        }),
    });
  return (
    <Section title="Inventory" testId="agents">
      <QueryState query={agents}>
        {() => (
          <Table striped highlightOnHover verticalSpacing={3} fz="xs" data-testid="agents-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Host</Table.Th>
                <Table.Th>Status</Table.Th>
                <Table.Th>Kind</Table.Th>
                <Table.Th>Cluster</Table.Th>
                <Table.Th>Node</Table.Th>
                <Table.Th>Version</Table.Th>
                <Table.Th>Kernel</Table.Th>
                <Table.Th>In-kernel kill</Table.Th>
                <Table.Th>Policy</Table.Th>
                <Table.Th>Last seen</Table.Th>
                <Can permission="agents:write">
                  <Table.Th />
                </Can>
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(agents.data ?? []).length === 0 && (
                <Table.Tr>
                  <Table.Td colSpan={11}>
                    <Text size="sm" c="dimmed" p="sm">
                      No agents yet. Create an enrollment token below and run the install command on
                      a host.
                    </Text>
                  </Table.Td>
                </Table.Tr>
              )}
              {(agents.data ?? []).map((a) => (
                <Table.Tr
                  key={a.id}
                  data-testid="agent-row"
                  data-agent-id={a.id}
                  data-status={a.status}
                >
                  <Table.Td fw={600}>{a.hostname}</Table.Td>
                  <Table.Td>
                    <OnlineBadge status={a.status} />
                  </Table.Td>
                  <Table.Td>{a.kind}</Table.Td>
                  <Table.Td>{a.cluster ?? '—'}</Table.Td>
                  <Table.Td>{a.node ?? '—'}</Table.Td>
                  <Table.Td>{a.version}</Table.Td>
                  <Table.Td>
                    <Tooltip label={a.kernel}>
                      <span>{a.kernel.split(' ')[0]}</span>
                    </Tooltip>
                  </Table.Td>
                  <Table.Td>
                    {a.capabilities ? (
                      <Badge
                        size="xs"
                        color={a.capabilities.inKernelKill ? 'green' : 'yellow'}
                        variant="light"
                      >
                        {a.capabilities.inKernelKill ? 'yes' : 'no'}
                      </Badge>
                    ) : (
                      '—'
                    )}
                  </Table.Td>
                  <Table.Td>{a.policyVersion !== null ? `v${a.policyVersion}` : '—'}</Table.Td>
                  <Table.Td>
                    <Tooltip label={formatTime(a.lastSeenAt)}>
                      <span>{formatAgo(a.lastSeenAt)}</span>
                    </Tooltip>
                  </Table.Td>
                  <Can permission="agents:write">
                    <Table.Td ta="right">
                      {a.status !== 'decommissioned' && (
                        <Button
                          size="compact-xs"
                          variant="light"
                          color="red"
                          onClick={() => confirmDecommission(a)}
                          data-testid="agent-decommission"
                        >
                          Decommission
                        </Button>
                      )}
                    </Table.Td>
                  </Can>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
    </Section>
  );
}

const expiryChoices = [
  { value: '1', label: '1 hour' },
  { value: '24', label: '24 hours' },
  { value: '168', label: '7 days' },
  { value: '720', label: '30 days' },
  { value: 'never', label: 'Never' },
];

function EnrollmentTokens() {
  const tokens = useEnrollmentTokens(true);
  const revoke = useRevokeEnrollmentToken();
  const [creating, setCreating] = useState(false);
  const active = (t: EnrollmentToken) =>
    !t.revokedAt &&
    (!t.expiresAt || Date.parse(t.expiresAt) > Date.now()) &&
    (t.maxUses === null || t.uses < t.maxUses);
  return (
    <Section
      title="Enrollment tokens"
      testId="enrollment-tokens"
      actions={
        <Button
          size="compact-sm"
          onClick={() => setCreating(true)}
          data-testid="enrollment-token-create"
        >
          New token
        </Button>
      }
    >
      <QueryState query={tokens}>
        {() => (
          <Table verticalSpacing={3} fz="xs" striped data-testid="enrollment-tokens-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Prefix</Table.Th>
                <Table.Th>Uses</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th>Created</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {(tokens.data ?? []).map((t) => (
                <Table.Tr
                  key={t.id}
                  data-testid="enrollment-token-row"
                  data-token-id={t.id}
                  data-name={t.name}
                >
                  <Table.Td fw={600}>{t.name}</Table.Td>
                  <Table.Td className="mono">{t.prefix}…</Table.Td>
                  <Table.Td>
                    {t.uses}
                    {t.maxUses !== null ? ` / ${t.maxUses}` : ''}
                  </Table.Td>
                  <Table.Td>{t.expiresAt ? formatTime(t.expiresAt) : 'never'}</Table.Td>
                  <Table.Td>
                    {formatTime(t.createdAt)}
                    {t.createdBy ? ` by ${t.createdBy}` : ''}
                  </Table.Td>
                  <Table.Td>
                    <Badge
                      size="xs"
                      variant="light"
                      color={t.revokedAt ? 'gray' : active(t) ? 'green' : 'yellow'}
                      data-testid="enrollment-token-state"
                    >
                      {t.revokedAt ? 'revoked' : active(t) ? 'active' : 'used up / expired'}
                    </Badge>
                  </Table.Td>
                  <Table.Td ta="right">
                    {!t.revokedAt && (
                      <Button
                        size="compact-xs"
                        variant="light"
                        color="red"
                        loading={revoke.isPending && revoke.variables === t.id}
                        onClick={() =>
                          revoke.mutate(t.id, {
                            onError: (e) =>
                              notifications.show({
                                color: 'red',
                                title: 'Not revoked',
                                message: errorMessage(e),
                              }),
                          })
                        }
                        data-testid="enrollment-token-revoke"
                      >
                        Revoke
                      </Button>
                    )}
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
      <Modal
        opened={creating}
        onClose={() => setCreating(false)}
        title="New enrollment token"
        size="xl"
      >
        {creating && <CreateEnrollmentToken />}
      </Modal>
    </Section>
  );
}

function CreateEnrollmentToken() {
  const create = useCreateEnrollmentToken();
  const [name, setName] = useState('');
  const [expiry, setExpiry] = useState('24');
  const [maxUses, setMaxUses] = useState<number | string>('');
  const serverUrl = window.location.origin;

  if (create.data) {
    const token = create.data.token;
    return (
      <Stack gap="sm" data-testid="enrollment-token-created">
        <Text size="sm" c="yellow">
          This token is shown once. Copy what you need now.
        </Text>
        <CopyBlock label="Token" value={token} testId="enrollment-token-value" />
        <CopyBlock
          label="Linux host: install command"
          value={linuxInstallCommand(serverUrl, token)}
          testId="enrollment-install-command"
        />
        <CopyBlock
          label="Kubernetes: Secret for the agent DaemonSet (kubectl apply -f -)"
          value={daemonSetSecret(serverUrl, token)}
          testId="enrollment-daemonset-secret"
        />
      </Stack>
    );
  }
  const submit = () =>
    create.mutate({
      name: name.trim(),
      expiresAt:
        expiry === 'never' ? null : new Date(Date.now() + Number(expiry) * 3_600_000).toISOString(),
      maxUses: typeof maxUses === 'number' && maxUses > 0 ? maxUses : null,
    });
  return (
    <Stack
      gap="sm"
      component="form"
      onSubmit={(e) => {
        e.preventDefault();
        submit();
      }}
    >
      <TextInput
        label="Name"
        placeholder="prod-cluster-eu"
        required
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        data-testid="enrollment-token-name"
      />
      <Group grow>
        <Select
          label="Expires after"
          data={expiryChoices}
          value={expiry}
          allowDeselect={false}
          onChange={(v) => setExpiry(v ?? '24')}
          data-testid="enrollment-token-expiry"
        />
        <NumberInput
          label="Max uses"
          placeholder="unlimited"
          min={1}
          max={1_000_000}
          allowDecimal={false}
          value={maxUses}
          onChange={setMaxUses}
          data-testid="enrollment-token-max-uses"
        />
      </Group>
      {create.error && <ErrorAlert error={create.error} title="Token not created" />}
      <Button
        type="submit"
        loading={create.isPending}
        disabled={!name.trim()}
        data-testid="enrollment-token-submit"
      >
        Create token
      </Button>
    </Stack>
  );
}
