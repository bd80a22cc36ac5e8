import type { QuarantineStatus } from '@driftlock/protocol';
import { Anchor, Badge, Stack, Table, Text, Tooltip } from '@mantine/core';
import { Link } from 'react-router';
import { formatBytes, formatTime, shortHash } from '../../ui/format';
import { PageHeader, QueryState, Section } from '../../ui/page';
import { QuarantineActions } from './QuarantineActions';
import { useQuarantine } from './queries';

const statusColor: Record<QuarantineStatus, string> = {
  quarantined: 'orange',
  restore_pending: 'blue',
  restored: 'green',
  delete_pending: 'blue',
  deleted: 'gray',
  command_failed: 'red',
};

export function QuarantinePage() {
  const quarantine = useQuarantine();
  return (
    <Stack gap="sm">
      <PageHeader
        title="Quarantine"
        description="Drift files moved aside by the agents. Restore puts a file back; delete removes it for good."
      />
      <Section title={`Files (${quarantine.data?.length ?? 0})`}>
        <QueryState query={quarantine}>
          {() => (
            <Table
              striped
              highlightOnHover
              verticalSpacing={3}
              fz="xs"
              data-testid="quarantine-table"
            >
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Quarantined</Table.Th>
                  <Table.Th>Path</Table.Th>
                  <Table.Th>sha256</Table.Th>
                  <Table.Th>Size</Table.Th>
                  <Table.Th>Host</Table.Th>
                  <Table.Th>Threat</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {(quarantine.data ?? []).length === 0 && (
                  <Table.Tr>
                    <Table.Td colSpan={8}>
                      <Text size="sm" c="dimmed" p="sm">
                        Nothing in quarantine.
                      </Text>
                    </Table.Td>
                  </Table.Tr>
                )}
                {(quarantine.data ?? []).map((q) => (
                  <Table.Tr key={q.id} data-testid="quarantine-row" data-status={q.status}>
                    <Table.Td>{formatTime(q.createdAt)}</Table.Td>
                    <Table.Td className="mono">{q.path}</Table.Td>
                    <Table.Td className="mono">
                      <Tooltip label={q.sha256 ?? 'unknown'}>
                        <span>{shortHash(q.sha256, 16)}</span>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td>
                      {q.size !== null ? formatBytes(q.size).split(' (')[0] : '—'}
                    </Table.Td>
                    <Table.Td>{q.hostname}</Table.Td>
                    <Table.Td>
                      {q.threatId ? (
                        <Anchor component={Link} to={`/threats/${q.threatId}`} size="xs">
                          open
                        </Anchor>
                      ) : (
                        '—'
                      )}
                    </Table.Td>
                    <Table.Td>
                      <Tooltip label={q.lastDetail ?? formatTime(q.updatedAt)}>
                        <Badge
                          size="xs"
                          variant="light"
                          color={statusColor[q.status]}
                          data-testid="quarantine-status"
                        >
                          {q.status.replace('_', ' ')}
                        </Badge>
                      </Tooltip>
                    </Table.Td>
                    <Table.Td ta="right">
                      <QuarantineActions item={q} />
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          )}
        </QueryState>
      </Section>
    </Stack>
  );
}
