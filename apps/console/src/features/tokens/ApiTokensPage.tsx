import {
  ApiToken,
  CreatedApiToken,
  roles,
  type CreateApiTokenRequest,
  type Role,
} from '@driftlock/protocol';
import { Badge, Button, Group, Modal, Select, Stack, Table, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { api, errorMessage } from '../../api/client';
import { formatAgo, formatTime } from '../../ui/format';
import { CopyBlock, ErrorAlert, PageHeader, QueryState, Section } from '../../ui/page';

const apiTokensKey = ['api-tokens'] as const;

const expiryChoices = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'never', label: 'Never' },
];

export function ApiTokensPage() {
  const queryClient = useQueryClient();
  const tokens = useQuery({
    queryKey: apiTokensKey,
    queryFn: () => api('/api-tokens', { schema: z.array(ApiToken) }),
  });
  const revoke = useMutation({
    mutationFn: (id: string) => api(`/api-tokens/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: apiTokensKey }),
  });
  const [creating, setCreating] = useState(false);
  return (
    <Stack gap="sm">
      <PageHeader
        title="API tokens"
        description="For integrations: send as `Authorization: Bearer <token>`. A token acts with the role it was given."
      >
        <Button size="xs" onClick={() => setCreating(true)} data-testid="api-token-create">
          New token
        </Button>
      </PageHeader>
      <Section title="Tokens">
        <QueryState query={tokens}>
          {() => (
            <Table striped verticalSpacing={3} fz="xs" data-testid="api-tokens-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>Prefix</Table.Th>
                  <Table.Th>Role</Table.Th>
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Expires</Table.Th>
                  <Table.Th>Last used</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(tokens.data ?? []).map((t) => (
                  <Table.Tr key={t.id} data-testid="api-token-row" data-name={t.name}>
                    <Table.Td fw={600}>{t.name}</Table.Td>
                    <Table.Td className="mono">{t.prefix}…</Table.Td>
                    <Table.Td>
                      <Badge size="xs" variant="light">
                        {t.role}
                      </Badge>
                    </Table.Td>
                    <Table.Td>
                      {formatTime(t.createdAt)}
                      {t.createdBy ? ` by ${t.createdBy}` : ''}
                    </Table.Td>
                    <Table.Td>{t.expiresAt ? formatTime(t.expiresAt) : 'never'}</Table.Td>
                    <Table.Td>{formatAgo(t.lastUsedAt)}</Table.Td>
                    <Table.Td ta="right">
                      {t.revokedAt ? (
                        <Badge size="xs" color="gray">
                          revoked
                        </Badge>
                      ) : (
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
                          data-testid="api-token-revoke"
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
      </Section>
      <Modal opened={creating} onClose={() => setCreating(false)} title="New API token" size="lg">
        {creating && <CreateApiToken />}
      </Modal>
    </Stack>
  );
}

function CreateApiToken() {
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: (body: CreateApiTokenRequest) =>
      api('/api-tokens', { method: 'POST', body, schema: CreatedApiToken }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: apiTokensKey }),
  });
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [expiry, setExpiry] = useState('90');
  if (create.data)
    return (
      <Stack gap="sm" data-testid="api-token-created">
        <Text size="sm" c="yellow">
          This token is shown once. Store it in your secret manager now.
        </Text>
        <CopyBlock label="Token" value={create.data.token} testId="api-token-value" />
      </Stack>
    );
  return (
    <Stack
      gap="sm"
      component="form"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({
          name: name.trim(),
          role,
          expiresAt:
            expiry === 'never'
              ? null
              : new Date(Date.now() + Number(expiry) * 86_400_000).toISOString(),
        });
      }}
    >
      <TextInput
        label="Name"
        required
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
        data-testid="api-token-name"
      />
      <Group grow>
        <Select
          label="Role (scope)"
          data={[...roles]}
          value={role}
          allowDeselect={false}
          onChange={(v) => setRole((v as Role | null) ?? 'viewer')}
          data-testid="api-token-role"
        />
        <Select
          label="Expires after"
          data={expiryChoices}
          value={expiry}
          allowDeselect={false}
          onChange={(v) => setExpiry(v ?? '90')}
          data-testid="api-token-expiry"
        />
      </Group>
      {create.error && <ErrorAlert error={create.error} title="Token not created" />}
      <Button
        type="submit"
        loading={create.isPending}
        disabled={!name.trim()}
        data-testid="api-token-submit"
      >
        Create token
      </Button>
    </Stack>
  );
}
