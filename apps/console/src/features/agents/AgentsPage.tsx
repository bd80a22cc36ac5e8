import type { Agent, EnrollmentToken } from '@driftlock/protocol';
import {
  Badge,
  Button,
  Group,
  NumberInput,
  Select,
  Stack,
  Table,
  TextInput,
  Tooltip,
} from '@mantine/core';
import { modals } from '@mantine/modals';
import { useState } from 'react';
import { Can, useCan } from '../../auth/session';
import { OnlineBadge } from '../../ui/badges';
import { CreateForm, FormModal } from '../../ui/form';
import { expiresAfter, formatAgo, formatTime } from '../../ui/format';
import { notifyFailure } from '../../ui/notify';
import {
  CopyBlock,
  EmptyRow,
  PageHeader,
  QueryTable,
  RowMutationButton,
  Section,
  ShownOnce,
} from '../../ui/page';
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
  const canWrite = useCan('agents:write');
  const agents = useAgents();
  const decommission = useDecommission();
  const confirmDecommission = (a: Agent) =>
    modals.openConfirmModal({
      title: `Decommission ${a.hostname}?`,
      children:
        'Its credentials stop working at once: the agent is disconnected and cannot reconnect. Its threats stay.',
      labels: { confirm: 'Decommission', cancel: 'Cancel' },
      confirmProps: { color: 'red', 'data-testid': 'decommission-confirm' },
      onConfirm: () => decommission.mutate(a.id, { onError: notifyFailure('Not decommissioned') }),
    });
  return (
    <Section title="Inventory" testId="agents">
      <QueryTable
        query={agents}
        testId="agents-table"
        highlightOnHover
        columns={[
          'Host',
          'Status',
          'Kind',
          'Cluster',
          'Node',
          'Version',
          'Kernel',
          'In-kernel kill',
          'Policy',
          'Last seen',
          canWrite ? '' : false,
        ]}
      >
        {() => (
          <>
            {(agents.data ?? []).length === 0 && (
              <EmptyRow colSpan={11}>
                No agents yet. Create an enrollment token below and run the install command on a
                host.
              </EmptyRow>
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
          </>
        )}
      </QueryTable>
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
      <QueryTable
        query={tokens}
        testId="enrollment-tokens-table"
        columns={['Name', 'Prefix', 'Uses', 'Expires', 'Created', 'State', '']}
      >
        {() =>
          (tokens.data ?? []).map((t) => (
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
                  <RowMutationButton
                    mutation={revoke}
                    id={t.id}
                    failure="Not revoked"
                    testId="enrollment-token-revoke"
                  >
                    Revoke
                  </RowMutationButton>
                )}
              </Table.Td>
            </Table.Tr>
          ))
        }
      </QueryTable>
      <FormModal
        opened={creating}
        onClose={() => setCreating(false)}
        title="New enrollment token"
        size="xl"
      >
        <CreateEnrollmentToken />
      </FormModal>
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
      <ShownOnce
        notice="This token is shown once. Copy what you need now."
        testId="enrollment-token-created"
      >
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
      </ShownOnce>
    );
  }
  const submit = () =>
    create.mutate({
      name: name.trim(),
      expiresAt: expiresAfter(expiry, 3_600_000),
      maxUses: typeof maxUses === 'number' && maxUses > 0 ? maxUses : null,
    });
  return (
    <CreateForm
      mutation={create}
      onSubmit={submit}
      errorTitle="Token not created"
      submitLabel="Create token"
      submitTestId="enrollment-token-submit"
      disabled={!name.trim()}
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
    </CreateForm>
  );
}
