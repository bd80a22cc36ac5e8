import { threatStatuses, type ThreatStatus, type ThreatSummary } from '@driftlock/protocol';
import { Alert, Button, Checkbox, Group, Kbd, Menu, Table, Text } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { notifications } from '@mantine/notifications';
import { useEffect, useMemo, useRef, useState } from 'react';
import { useNavigate, useSearchParams } from 'react-router';
import { useCan } from '../../auth/session';
import { MitigationSummaryBadges, StatusBadge } from '../../ui/badges';
import { driftClassLabels, formatTime, shorten, statusLabels } from '../../ui/format';
import { notifyFailure } from '../../ui/notify';
import { ErrorAlert, PageHeader } from '../../ui/page';
import { useFreshThreats } from './fresh-threats';
import {
  isFirstPage,
  nextPage,
  previousPage,
  readThreatSearch,
  withFilters,
  writeThreatSearch,
  type ThreatFilters,
  type ThreatSearch,
} from './filters';
import { useBulkStatus, useThreatList } from './queries';
import { ThreatFiltersBar } from './ThreatFiltersBar';

/** The threats page's state lives in its URL: filters and the page position are shareable. */
export function useThreatSearch(): [ThreatSearch, (next: ThreatSearch) => void] {
  const [params, setParams] = useSearchParams();
  const search = useMemo(() => readThreatSearch(params), [params]);
  const set = (next: ThreatSearch) => {
    const nextParams = writeThreatSearch(next);
    if (nextParams.toString() !== params.toString()) setParams(nextParams);
  };
  return [search, set];
}

export function ThreatsPage() {
  const [search, setSearch] = useThreatSearch();
  const list = useThreatList(search);
  const navigate = useNavigate();
  const canWrite = useCan('threats:write');
  const bulk = useBulkStatus();
  const fresh = useFreshThreats();
  const searchRef = useRef<HTMLInputElement>(null);
  const tableRef = useRef<HTMLTableElement>(null);
  const [cursorRow, setCursorRow] = useState(0);
  const [selected, setSelected] = useState<ReadonlySet<string>>(new Set());

  const items = list.data?.items ?? [];
  const nextCursor = list.data?.nextCursor ?? null;
  const firstPage = isFirstPage(search);
  const freshElsewhere = firstPage
    ? 0
    : [...fresh].filter((id) => !items.some((t) => t.id === id)).length;

  const go = (next: ThreatSearch) => {
    setSelected(new Set());
    setCursorRow(0);
    setSearch(next);
  };
  const changeFilters = (patch: Partial<ThreatFilters>) => go(withFilters(search, patch));
  const toggle = (id: string) =>
    setSelected((s) => {
      const next = new Set(s);
      if (next.has(id)) next.delete(id);
      else next.add(id);
      return next;
    });
  const open = (t: ThreatSummary | undefined) => t && navigate(`/threats/${t.id}`);

  useHotkeys([
    ['j', () => setCursorRow((r) => Math.min(r + 1, Math.max(items.length - 1, 0)))],
    ['k', () => setCursorRow((r) => Math.max(r - 1, 0))],
    ['Enter', () => open(items[cursorRow])],
    ['o', () => open(items[cursorRow])],
    ['x', () => canWrite && items[cursorRow] && toggle(items[cursorRow].id)],
    ['/', () => searchRef.current?.focus()],
    ['n', () => nextCursor && go(nextPage(search, nextCursor))],
    ['p', () => !firstPage && go(previousPage(search))],
  ]);

  useEffect(() => {
    tableRef.current
      ?.querySelector('[data-cursor="true"]')
      ?.scrollIntoView({ block: 'nearest', inline: 'nearest' });
  }, [cursorRow]);

  const setStatus = (status: ThreatStatus) =>
    bulk.mutate(
      { ids: [...selected], status },
      {
        onSuccess: () => {
          notifications.show({
            color: 'green',
            message: `${selected.size} threat(s) set to ${statusLabels[status]}`,
          });
          setSelected(new Set());
        },
        onError: notifyFailure('Status not changed'),
      },
    );

  const allSelected = items.length > 0 && items.every((t) => selected.has(t.id));

  return (
    <>
      <PageHeader
        title="Threats"
        description={
          <>
            <Kbd size="xs">j</Kbd>/<Kbd size="xs">k</Kbd> move · <Kbd size="xs">Enter</Kbd> open ·{' '}
            {canWrite && (
              <>
                <Kbd size="xs">x</Kbd> select ·{' '}
              </>
            )}
            <Kbd size="xs">/</Kbd> search · <Kbd size="xs">n</Kbd>/<Kbd size="xs">p</Kbd> page
          </>
        }
      >
        {canWrite && selected.size > 0 && (
          <Menu position="bottom-end">
            <Menu.Target>
              <Button size="xs" loading={bulk.isPending} data-testid="bulk-status">
                Set status of {selected.size}
              </Button>
            </Menu.Target>
            <Menu.Dropdown>
              {threatStatuses.map((s) => (
                <Menu.Item key={s} onClick={() => setStatus(s)} data-testid={`bulk-status-${s}`}>
                  {statusLabels[s]}
                </Menu.Item>
              ))}
            </Menu.Dropdown>
          </Menu>
        )}
      </PageHeader>
      <ThreatFiltersBar filters={search.filters} onChange={changeFilters} searchRef={searchRef} />
      {freshElsewhere > 0 && (
        <Alert color="red" variant="light" p={6} mb="xs" data-testid="threats-new-banner">
          <Group justify="space-between">
            <Text size="sm">
              {freshElsewhere} new threat(s) arrived since you left the first page.
            </Text>
            <Button size="compact-xs" onClick={() => go({ filters: search.filters, trail: [] })}>
              Show latest
            </Button>
          </Group>
        </Alert>
      )}
      {list.error && <ErrorAlert error={list.error} />}
      <Table
        striped
        highlightOnHover
        stickyHeader
        verticalSpacing={3}
        horizontalSpacing={6}
        fz="xs"
        ref={tableRef}
        className="dense-table"
        data-testid="threats-table"
        data-loading={list.isFetching}
      >
        <Table.Thead>
          <Table.Tr>
            {canWrite && (
              <Table.Th w={28}>
                <Checkbox
                  size="xs"
                  aria-label="Select all on this page"
                  checked={allSelected}
                  indeterminate={!allSelected && selected.size > 0}
                  onChange={() =>
                    setSelected(allSelected ? new Set() : new Set(items.map((t) => t.id)))
                  }
                  data-testid="threats-select-all"
                />
              </Table.Th>
            )}
            <Table.Th w={140}>Time</Table.Th>
            <Table.Th>Command line</Table.Th>
            <Table.Th>Drift class</Table.Th>
            <Table.Th>Mitigation</Table.Th>
            <Table.Th>Pod</Table.Th>
            <Table.Th>Namespace</Table.Th>
            <Table.Th>Image</Table.Th>
            <Table.Th>Node</Table.Th>
            <Table.Th>Status</Table.Th>
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {items.map((t, i) => (
            <Table.Tr
              key={t.id}
              className="threat-row"
              data-testid="threat-row"
              data-threat-id={t.id}
              data-cursor={i === cursorRow}
              data-fresh={fresh.has(t.id)}
              onClick={() => open(t)}
            >
              {canWrite && (
                <Table.Td onClick={(e) => e.stopPropagation()}>
                  <Checkbox
                    size="xs"
                    aria-label={`Select threat ${t.commandLine}`}
                    checked={selected.has(t.id)}
                    onChange={() => toggle(t.id)}
                    data-testid="threat-row-select"
                  />
                </Table.Td>
              )}
              <Table.Td>{formatTime(t.detectedAt)}</Table.Td>
              <Table.Td className="mono" data-testid="threat-command-line" title={t.commandLine}>
                {shorten(t.commandLine, 44)}
              </Table.Td>
              <Table.Td>{driftClassLabels[t.driftClass]}</Table.Td>
              <Table.Td>
                <MitigationSummaryBadges mitigation={t.mitigation} />
              </Table.Td>
              <Table.Td>
                <span className="ellipsis" style={{ maxWidth: 150 }} title={t.podName ?? undefined}>
                  {t.podName ?? '—'}
                </span>
              </Table.Td>
              <Table.Td>{t.namespace ?? '—'}</Table.Td>
              <Table.Td>
                <span className="ellipsis" style={{ maxWidth: 180 }} title={t.image ?? undefined}>
                  {t.image ?? '—'}
                </span>
              </Table.Td>
              <Table.Td>{t.node ?? t.hostname}</Table.Td>
              <Table.Td>
                <StatusBadge status={t.status} />
              </Table.Td>
            </Table.Tr>
          ))}
          {!list.isPending && items.length === 0 && (
            <Table.Tr>
              <Table.Td colSpan={10}>
                <Text c="dimmed" size="sm" p="md" ta="center" data-testid="threats-empty">
                  No threats match these filters.
                </Text>
              </Table.Td>
            </Table.Tr>
          )}
        </Table.Tbody>
      </Table>
      <Group justify="space-between" mt="xs">
        <Text size="xs" c="dimmed">
          {items.length} shown{search.trail.length > 0 ? ` · page ${search.trail.length + 1}` : ''}
        </Text>
        <Group gap={6}>
          <Button
            size="xs"
            variant="default"
            disabled={firstPage}
            onClick={() => go(previousPage(search))}
            data-testid="threats-prev"
          >
            ← Newer
          </Button>
          <Button
            size="xs"
            variant="default"
            disabled={!nextCursor}
            onClick={() => nextCursor && go(nextPage(search, nextCursor))}
            data-testid="threats-next"
          >
            Older →
          </Button>
        </Group>
      </Group>
    </>
  );
}
