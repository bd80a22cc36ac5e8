import { AuditEntry } from '@driftlock/protocol';
import { Button, Code, Group, Stack, Table, Text, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useInfiniteQuery } from '@tanstack/react-query';
import { useState } from 'react';
import { z } from 'zod';
import { api } from '../../api/client';
import { formatTime } from '../../ui/format';
import { PageHeader, QueryTable, Section } from '../../ui/page';

const PAGE = 100;

export function AuditPage() {
  const [action, setAction] = useState('');
  const [debounced] = useDebouncedValue(action.trim(), 300);
  const audit = useInfiniteQuery({
    queryKey: ['audit', debounced],
    initialPageParam: undefined as string | undefined,
    queryFn: ({ pageParam }) =>
      api('/audit', {
        query: { limit: PAGE, before: pageParam, action: debounced || undefined },
        schema: z.array(AuditEntry),
      }),
    getNextPageParam: (last) => (last.length === PAGE ? last[last.length - 1]?.at : undefined),
  });
  const entries = audit.data?.pages.flat() ?? [];
  return (
    <Stack gap="sm">
      <PageHeader title="Audit log" description="Every change, by whom, newest first.">
        <TextInput
          size="xs"
          placeholder="Filter by action (e.g. policy.update)"
          value={action}
          onChange={(e) => setAction(e.currentTarget.value)}
          data-testid="audit-action-filter"
        />
      </PageHeader>
      <Section title="Entries">
        <QueryTable
          query={audit}
          testId="audit-table"
          columns={[{ label: 'When', w: 150 }, 'Who', 'Action', 'Target', 'Detail']}
        >
          {() =>
            entries.map((e) => (
              <Table.Tr key={e.id} data-testid="audit-row" data-action={e.action}>
                <Table.Td style={{ whiteSpace: 'nowrap' }}>{formatTime(e.at)}</Table.Td>
                <Table.Td>
                  {e.actorName ?? e.actorId ?? '—'}{' '}
                  <Text span size="xs" c="dimmed">
                    ({e.actorType})
                  </Text>
                </Table.Td>
                <Table.Td className="mono">{e.action}</Table.Td>
                <Table.Td title={e.targetId ?? undefined}>
                  {e.targetType ? `${e.targetType} ${e.targetId?.slice(0, 8) ?? ''}` : '—'}
                </Table.Td>
                <Table.Td>
                  {Object.keys(e.detail).length > 0 && <Code>{JSON.stringify(e.detail)}</Code>}
                </Table.Td>
              </Table.Tr>
            ))
          }
        </QueryTable>
        <Group justify="center" mt="xs">
          {audit.hasNextPage && (
            <Button
              size="xs"
              variant="default"
              loading={audit.isFetchingNextPage}
              onClick={() => void audit.fetchNextPage()}
            >
              Older entries
            </Button>
          )}
        </Group>
      </Section>
    </Stack>
  );
}
