import { CreatedWebhook, Webhook, type CreateWebhookRequest } from '@driftlock/protocol';
import { Badge, Button, Modal, Stack, Table, Text, TextInput } from '@mantine/core';
import { notifications } from '@mantine/notifications';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { api, errorMessage } from '../../api/client';
import { Can } from '../../auth/session';
import { formatAgo } from '../../ui/format';
import { CopyBlock, ErrorAlert, PageHeader, QueryState, Section } from '../../ui/page';

const webhooksKey = ['webhooks'] as const;

export function WebhooksPage() {
  const queryClient = useQueryClient();
  const webhooks = useQuery({
    queryKey: webhooksKey,
    queryFn: () => api('/webhooks', { schema: z.array(Webhook) }),
  });
  const remove = useMutation({
    mutationFn: (id: string) => api(`/webhooks/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhooksKey }),
    onError: (e) =>
      notifications.show({ color: 'red', title: 'Webhook not removed', message: errorMessage(e) }),
  });
  const [creating, setCreating] = useState(false);
  return (
    <Stack gap="sm">
      <PageHeader
        title="Webhooks"
        description="Each threat is POSTed as JSON, signed with HMAC-SHA256 in X-Driftlock-Signature."
      >
        <Can permission="webhooks:write">
          <Button size="xs" onClick={() => setCreating(true)} data-testid="webhook-create">
            New webhook
          </Button>
        </Can>
      </PageHeader>
      <Section title="Webhooks">
        <QueryState query={webhooks}>
          {() => (
            <Table striped verticalSpacing={3} fz="xs" data-testid="webhooks-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Name</Table.Th>
                  <Table.Th>URL</Table.Th>
                  <Table.Th>Enabled</Table.Th>
                  <Table.Th>Last delivery</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(webhooks.data ?? []).map((w) => (
                  <Table.Tr key={w.id} data-testid="webhook-row">
                    <Table.Td fw={600}>{w.name}</Table.Td>
                    <Table.Td className="mono">{w.url}</Table.Td>
                    <Table.Td>{w.enabled ? 'yes' : 'no'}</Table.Td>
                    <Table.Td>
                      {formatAgo(w.lastDeliveryAt)}{' '}
                      {w.lastDeliveryStatus && (
                        <Badge size="xs" variant="light">
                          {w.lastDeliveryStatus}
                        </Badge>
                      )}
                    </Table.Td>
                    <Table.Td ta="right">
                      <Can permission="webhooks:write">
                        <Button
                          size="compact-xs"
                          variant="light"
                          color="red"
                          loading={remove.isPending && remove.variables === w.id}
                          onClick={() => remove.mutate(w.id)}
                          data-testid="webhook-delete"
                        >
                          Remove
                        </Button>
                      </Can>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </QueryState>
      </Section>
      <Modal opened={creating} onClose={() => setCreating(false)} title="New webhook" size="lg">
        {creating && <CreateWebhook />}
      </Modal>
    </Stack>
  );
}

function CreateWebhook() {
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: (body: CreateWebhookRequest) =>
      api('/webhooks', { method: 'POST', body, schema: CreatedWebhook }),
    onSettled: () => queryClient.invalidateQueries({ queryKey: webhooksKey }),
  });
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  if (create.data)
    return (
      <Stack gap="sm">
        <Text size="sm" c="yellow">
          The signing secret is shown once.
        </Text>
        <CopyBlock label="Signing secret" value={create.data.secret} testId="webhook-secret" />
      </Stack>
    );
  return (
    <Stack
      gap="sm"
      component="form"
      onSubmit={(e) => {
        e.preventDefault();
        create.mutate({ name: name.trim(), url: url.trim() });
      }}
    >
      <TextInput
        label="Name"
        required
        value={name}
        onChange={(e) => setName(e.currentTarget.value)}
      />
      <TextInput
        label="URL"
        required
        placeholder="https://siem.example/hooks/driftlock"
        value={url}
        onChange={(e) => setUrl(e.currentTarget.value)}
      />
      {create.error && <ErrorAlert error={create.error} title="Webhook not created" />}
      <Button type="submit" loading={create.isPending}>
        Create webhook
      </Button>
    </Stack>
  );
}
