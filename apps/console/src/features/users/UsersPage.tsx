import {
  roles,
  User,
  type CreateUserRequest,
  type Role,
  type UpdateUserRequest,
} from '@driftlock/protocol';
import {
  Badge,
  Button,
  PasswordInput,
  Select,
  Stack,
  Switch,
  Table,
  TextInput,
} from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { api } from '../../api/client';
import { useRefreshingMutation } from '../../api/mutations';
import { useCan, useSession } from '../../auth/session';
import { CreateForm, FormModal } from '../../ui/form';
import { formatAgo, formatTime } from '../../ui/format';
import { notifyFailure } from '../../ui/notify';
import { PageHeader, QueryTable, Section } from '../../ui/page';

const usersKey = ['users'] as const;

export function UsersPage() {
  const canWrite = useCan('users:write');
  const me = useSession().user;
  const users = useQuery({
    queryKey: usersKey,
    queryFn: () => api('/users', { schema: z.array(User) }),
  });
  const update = useRefreshingMutation(
    usersKey,
    ({ id, patch }: { id: string; patch: UpdateUserRequest }) =>
      api(`/users/${encodeURIComponent(id)}`, { method: 'PATCH', body: patch, schema: User }),
    notifyFailure('User not changed'),
  );
  const [creating, setCreating] = useState(false);
  return (
    <Stack gap="sm">
      <PageHeader
        title="Users"
        description="viewer: read only · analyst: + triage threats and change the policy · admin: everything"
      >
        {canWrite && (
          <Button size="xs" onClick={() => setCreating(true)} data-testid="user-create">
            New user
          </Button>
        )}
      </PageHeader>
      <Section title="Users">
        <QueryTable
          query={users}
          testId="users-table"
          columns={['Name', 'Email', 'Role', 'Enabled', 'Created', 'Last sign-in']}
        >
          {() =>
            (users.data ?? []).map((u) => {
              const self = u.id === me.id;
              return (
                <Table.Tr key={u.id} data-testid="user-row" data-email={u.email}>
                  <Table.Td fw={600}>{u.name}</Table.Td>
                  <Table.Td>{u.email}</Table.Td>
                  <Table.Td>
                    {canWrite && !self ? (
                      <Select
                        size="xs"
                        w={110}
                        data={[...roles]}
                        value={u.role}
                        allowDeselect={false}
                        aria-label={`Role of ${u.email}`}
                        onChange={(v) =>
                          v && update.mutate({ id: u.id, patch: { role: v as Role } })
                        }
                        data-testid="user-role"
                      />
                    ) : (
                      <Badge size="xs" variant="light">
                        {u.role}
                      </Badge>
                    )}
                  </Table.Td>
                  <Table.Td>
                    {canWrite && !self ? (
                      <Switch
                        size="xs"
                        checked={!u.disabled}
                        aria-label={`${u.email} enabled`}
                        onChange={(e) =>
                          update.mutate({
                            id: u.id,
                            patch: { disabled: !e.currentTarget.checked },
                          })
                        }
                        data-testid="user-enabled"
                      />
                    ) : u.disabled ? (
                      'disabled'
                    ) : (
                      'enabled'
                    )}
                  </Table.Td>
                  <Table.Td>{formatTime(u.createdAt)}</Table.Td>
                  <Table.Td>{formatAgo(u.lastLoginAt)}</Table.Td>
                </Table.Tr>
              );
            })
          }
        </QueryTable>
      </Section>
      <FormModal opened={creating} onClose={() => setCreating(false)} title="New user">
        <CreateUser onDone={() => setCreating(false)} />
      </FormModal>
    </Stack>
  );
}

function CreateUser({ onDone }: { onDone: () => void }) {
  const queryClient = useQueryClient();
  const create = useMutation({
    mutationFn: (body: CreateUserRequest) => api('/users', { method: 'POST', body, schema: User }),
    onSuccess: () => {
      void queryClient.invalidateQueries({ queryKey: usersKey });
      onDone();
    },
  });
  const [form, setForm] = useState<CreateUserRequest>({
    email: '',
    name: '',
    role: 'viewer',
    password: '',
  });
  return (
    <CreateForm
      mutation={create}
      onSubmit={() => create.mutate(form)}
      errorTitle="User not created"
      submitLabel="Create user"
      submitTestId="user-submit"
    >
      <TextInput
        label="Email"
        type="email"
        required
        value={form.email}
        onChange={(e) => setForm({ ...form, email: e.currentTarget.value })}
        data-testid="user-email"
      />
      <TextInput
        label="Name"
        required
        value={form.name}
        onChange={(e) => setForm({ ...form, name: e.currentTarget.value })}
        data-testid="user-name"
      />
      <Select
        label="Role"
        data={[...roles]}
        value={form.role}
        allowDeselect={false}
        onChange={(v) => setForm({ ...form, role: (v as Role | null) ?? 'viewer' })}
        data-testid="user-role-new"
      />
      <PasswordInput
        label="Initial password"
        description="At least 12 characters"
        required
        minLength={12}
        value={form.password}
        onChange={(e) => setForm({ ...form, password: e.currentTarget.value })}
        data-testid="user-password"
      />
    </CreateForm>
  );
}
