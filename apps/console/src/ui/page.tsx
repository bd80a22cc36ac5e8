import {
  Alert,
  Box,
  Center,
  CopyButton,
  Code,
  Group,
  Loader,
  Paper,
  SimpleGrid,
  Stack,
  Table,
  Text,
  Title,
  ActionIcon,
  Button,
  Tooltip,
} from '@mantine/core';
import type { ReactNode } from 'react';
import { errorMessage } from '../api/client';
import { notifyFailure } from './notify';

export function PageHeader({
  title,
  children,
  description,
}: {
  title: string;
  description?: ReactNode;
  children?: ReactNode;
}) {
  return (
    <Group justify="space-between" align="flex-end" mb="sm" wrap="nowrap">
      <Box>
        <Title order={3}>{title}</Title>
        {description && (
          <Text size="sm" c="dimmed">
            {description}
          </Text>
        )}
      </Box>
      <Group gap="xs">{children}</Group>
    </Group>
  );
}

/** The loading / error states every query shares, so pages only render their data. */
export function QueryState({
  query,
  children,
}: {
  query: { isPending: boolean; error: unknown };
  children: () => ReactNode;
}) {
  if (query.error) return <ErrorAlert error={query.error} />;
  if (query.isPending)
    return (
      <Center p="xl">
        <Loader size="sm" />
      </Center>
    );
  return <>{children()}</>;
}

export function ErrorAlert({
  error,
  title = 'Request failed',
}: {
  error: unknown;
  title?: string;
}) {
  return (
    <Alert color="red" variant="light" title={title} data-testid="error-alert">
      {errorMessage(error)}
    </Alert>
  );
}

export function Section({
  title,
  children,
  actions,
  testId,
}: {
  title: ReactNode;
  children: ReactNode;
  actions?: ReactNode;
  testId?: string;
}) {
  return (
    <Paper withBorder p="sm" radius="sm" data-testid={testId}>
      <Group justify="space-between" mb={6} wrap="nowrap">
        <Text fw={600} size="sm" tt="uppercase" c="dimmed">
          {title}
        </Text>
        {actions && <Group gap={6}>{actions}</Group>}
      </Group>
      {children}
    </Paper>
  );
}

/** A table column: its heading, or `{ label, w }` for a fixed width, or `false` to leave it out. */
export type Column = string | { label: string; w: number } | false;

/** A query's rows in the console's dense striped table, behind the query's loading / error states. */
export function QueryTable({
  query,
  testId,
  columns,
  highlightOnHover,
  children,
}: {
  query: { isPending: boolean; error: unknown };
  testId: string;
  columns: Column[];
  highlightOnHover?: boolean;
  children: () => ReactNode;
}) {
  return (
    <QueryState query={query}>
      {() => (
        <Table
          striped
          highlightOnHover={highlightOnHover}
          verticalSpacing={3}
          fz="xs"
          data-testid={testId}
        >
          <Table.Thead>
            <Table.Tr>
              {columns.map((c, i) =>
                c === false ? null : typeof c === 'string' ? (
                  <Table.Th key={i}>{c}</Table.Th>
                ) : (
                  <Table.Th key={i} w={c.w}>
                    {c.label}
                  </Table.Th>
                ),
              )}
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>{children()}</Table.Tbody>
        </Table>
      )}
    </QueryState>
  );
}

/** A dense label/value grid for forensics and detail panels. */
export function Fields({
  fields,
  cols = 2,
}: {
  fields: Array<{ label: string; value: ReactNode; testId?: string }>;
  cols?: number;
}) {
  return (
    <SimpleGrid cols={cols} spacing={4} verticalSpacing={4}>
      {fields.map((f) => (
        <Stack key={f.label} gap={0}>
          <Text size="xs" c="dimmed">
            {f.label}
          </Text>
          <Text size="sm" style={{ wordBreak: 'break-all' }} data-testid={f.testId}>
            {f.value ?? '—'}
          </Text>
        </Stack>
      ))}
    </SimpleGrid>
  );
}

/** A value shown once (a token, a command) with a copy button beside it. */
export function CopyBlock({
  value,
  testId,
  label,
}: {
  value: string;
  testId: string;
  label: string;
}) {
  return (
    <Stack gap={2}>
      <Group justify="space-between">
        <Text size="xs" c="dimmed">
          {label}
        </Text>
        <CopyButton value={value}>
          {({ copied, copy }) => (
            <Tooltip label={copied ? 'Copied' : 'Copy'} withArrow>
              <ActionIcon
                variant="subtle"
                size="sm"
                onClick={copy}
                aria-label={`Copy ${label}`}
                data-testid={`${testId}-copy`}
              >
                {copied ? '✓' : '⧉'}
              </ActionIcon>
            </Tooltip>
          )}
        </CopyButton>
      </Group>
      <Code block data-testid={testId} style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}>
        {value}
      </Code>
    </Stack>
  );
}

/** What a create form shows once it succeeded: a warning that it is shown once, then the values. */
export function ShownOnce({
  notice,
  testId,
  children,
}: {
  notice: string;
  testId?: string;
  children: ReactNode;
}) {
  return (
    <Stack gap="sm" data-testid={testId}>
      <Text size="sm" c="yellow">
        {notice}
      </Text>
      {children}
    </Stack>
  );
}

/** The one row of a table that has nothing to list. */
export function EmptyRow({ colSpan, children }: { colSpan: number; children: ReactNode }) {
  return (
    <Table.Tr>
      <Table.Td colSpan={colSpan}>
        <Text size="sm" c="dimmed" p="sm">
          {children}
        </Text>
      </Table.Td>
    </Table.Tr>
  );
}

/**
 * A red button that runs a mutation on one table row (revoke, remove), spinning on that row only.
 * `failure` titles the notification shown when it fails.
 */
export function RowMutationButton({
  mutation,
  id,
  failure,
  testId,
  children,
}: {
  mutation: {
    isPending: boolean;
    variables: string | undefined;
    mutate: (id: string, options?: { onError?: (error: unknown) => void }) => void;
  };
  id: string;
  failure?: string;
  testId: string;
  children: ReactNode;
}) {
  return (
    <Button
      size="compact-xs"
      variant="light"
      color="red"
      loading={mutation.isPending && mutation.variables === id}
      onClick={() => mutation.mutate(id, failure ? { onError: notifyFailure(failure) } : undefined)}
      data-testid={testId}
    >
      {children}
    </Button>
  );
}

export function Mono({ children }: { children: ReactNode }) {
  return (
    <Text span ff="monospace" size="sm">
      {children}
    </Text>
  );
}
