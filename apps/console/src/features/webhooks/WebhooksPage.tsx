import { CreatedWebhook, Webhook, type CreateWebhookRequest } from '@driftlock/protocol';
import { Badge, Button, Stack, Table, TextInput } from '@mantine/core';
import { useQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { api } from '../../api/client';
import { useRefreshingMutation } from '../../api/mutations';
import { Can } from '../../auth/session';
import { CreateForm, FormModal } from '../../ui/form';
import { formatAgo } from '../../ui/format';
import { notifyFailure } from '../../ui/notify';
import {
  CopyBlock,
  PageHeader,
  QueryTable,
  RowMutationButton,
  Section,
  ShownOnce,
} from '../../ui/page';

const webhooksKey = ['webhooks'] as const;

export function WebhooksPage() {
  const webhooks = useQuery({
    queryKey: webhooksKey,
    queryFn: () => api('/webhooks', { schema: z.array(Webhook) }),
  });
  const remove = useRefreshingMutation(
    webhooksKey,
    (id: string) => api(`/webhooks/${encodeURIComponent(id)}`, { method: 'DELETE' }),
    notifyFailure('Webhook not removed'),
  );
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
        <QueryTable
          query={webhooks}
          testId="webhooks-table"
          columns={['Name', 'URL', 'Enabled', 'Last delivery', '']}
        >
          {() =>
            (webhooks.data ?? []).map((w) => (
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
                    <RowMutationButton mutation={remove} id={w.id} testId="webhook-delete">
                      Remove
                    </RowMutationButton>
                  </Can>
                </Table.Td>
              </Table.Tr>
            ))
          }
        </QueryTable>
      </Section>
      <FormModal opened={creating} onClose={() => setCreating(false)} title="New webhook" size="lg">
        <CreateWebhook />
      </FormModal>
    </Stack>
  );
}

function CreateWebhook() {
  const create = useRefreshingMutation(webhooksKey, (body: CreateWebhookRequest) =>
    api('/webhooks', { method: 'POST', body, schema: CreatedWebhook }),
  );
  const [name, setName] = useState('');
  const [url, setUrl] = useState('');
  if (create.data)
    return (
      <ShownOnce notice="The signing secret is shown once.">
        <CopyBlock label="Signing secret" value={create.data.secret} testId="webhook-secret" />
      </ShownOnce>
    );
  return (
    <CreateForm
      mutation={create}
      onSubmit={() => create.mutate({ name: name.trim(), url: url.trim() })}
      errorTitle="Webhook not created"
      submitLabel="Create webhook"
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
    </CreateForm>
  );
}
