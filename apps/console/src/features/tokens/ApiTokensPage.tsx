import {
  ApiToken,
  CreatedApiToken,
  roles,
  type CreateApiTokenRequest,
  type Role,
} from '@driftlock/protocol';
import { Badge, Button, Group, Select, Stack, Table, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { api } from '../../api/client';
import { useRefreshingMutation } from '../../api/mutations';
import { CreateForm, FormModal } from '../../ui/form';
import { expiresAfter, formatAgo, formatTime } from '../../ui/format';
import {
  CopyBlock,
  PageHeader,
  QueryTable,
  RowMutationButton,
  Section,
  ShownOnce,
} from '../../ui/page';

const apiTokensKey = ['api-tokens'] as const;

const expiryChoices = [
  { value: '7', label: '7 days' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: '1 year' },
  { value: 'never', label: 'Never' },
];

export function ApiTokensPage() {
  const tokens = useQuery({
    queryKey: apiTokensKey,
    queryFn: () => api('/api-tokens', { schema: z.array(ApiToken) }),
  });
  const revoke = useRefreshingMutation(apiTokensKey, (id: string) =>
    api(`/api-tokens/${encodeURIComponent(id)}`, { method: 'DELETE' }),
  );
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
        <QueryTable
          query={tokens}
          testId="api-tokens-table"
          columns={['Name', 'Prefix', 'Role', 'Created', 'Expires', 'Last used', '']}
        >
          {() =>
            (tokens.data ?? []).map((t) => (
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
                    <RowMutationButton
                      mutation={revoke}
                      id={t.id}
                      failure="Not revoked"
                      testId="api-token-revoke"
                    >
                      Revoke
                    </RowMutationButton>
                  )}
                </Table.Td>
              </Table.Tr>
            ))
          }
        </QueryTable>
      </Section>
      <FormModal
        opened={creating}
        onClose={() => setCreating(false)}
        title="New API token"
        size="lg"
      >
        <CreateApiToken />
      </FormModal>
    </Stack>
  );
}

function CreateApiToken() {
  const create = useRefreshingMutation(apiTokensKey, (body: CreateApiTokenRequest) =>
    api('/api-tokens', { method: 'POST', body, schema: CreatedApiToken }),
  );
  const [name, setName] = useState('');
  const [role, setRole] = useState<Role>('viewer');
  const [expiry, setExpiry] = useState('90');
  if (create.data)
    return (
      <ShownOnce
        notice="This token is shown once. Store it in your secret manager now."
        testId="api-token-created"
      >
        <CopyBlock label="Token" value={create.data.token} testId="api-token-value" />
      </ShownOnce>
    );
  return (
    <CreateForm
      mutation={create}
      onSubmit={() =>
        create.mutate({
          name: name.trim(),
          role,
          expiresAt: expiresAfter(expiry, 86_400_000),
        })
      }
      errorTitle="Token not created"
      submitLabel="Create token"
      submitTestId="api-token-submit"
      disabled={!name.trim()}
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
    </CreateForm>
  );
}
