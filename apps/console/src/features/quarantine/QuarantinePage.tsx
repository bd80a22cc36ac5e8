import type { QuarantineStatus } from '@driftlock/protocol';
import { Anchor, Badge, Stack, Table, Tooltip } from '@mantine/core';
import { Link } from 'react-router';
import { formatBytes, formatTime, shortHash } from '../../ui/format';
import { EmptyRow, PageHeader, QueryTable, Section } from '../../ui/page';
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
        <QueryTable
          query={quarantine}
          testId="quarantine-table"
          highlightOnHover
          columns={['Quarantined', 'Path', 'sha256', 'Size', 'Host', 'Threat', 'Status', '']}
        >
          {() => (
            <>
              {(quarantine.data ?? []).length === 0 && (
                <EmptyRow colSpan={8}>Nothing in quarantine.</EmptyRow>
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
                  <Table.Td>{q.size !== null ? formatBytes(q.size).split(' (')[0] : '—'}</Table.Td>
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
            </>
          )}
        </QueryTable>
      </Section>
    </Stack>
  );
}
