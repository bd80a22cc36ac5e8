import { driftClasses, threatStatuses } from '@driftlock/protocol';
import { Button, Group, Select, TextInput } from '@mantine/core';
import { useDebouncedCallback } from '@mantine/hooks';
import { useEffect, useState, type Ref } from 'react';
import { useAgents } from '../agents/queries';
import { driftClassLabels, statusLabels } from '../../ui/format';
import { timeRanges, type ThreatFilters, type TimeRange } from './filters';

const rangeLabels: Record<TimeRange, string> = {
  '1h': 'Last hour',
  '24h': 'Last 24 hours',
  '7d': 'Last 7 days',
  '30d': 'Last 30 days',
};

/** A free-text filter that writes to the URL once typing pauses (or on Enter). */
function TextFilter({
  value,
  onChange,
  placeholder,
  testId,
  inputRef,
  width,
}: {
  value: string | undefined;
  onChange: (v: string | undefined) => void;
  placeholder: string;
  testId: string;
  inputRef?: Ref<HTMLInputElement>;
  width: number;
}) {
  const [draft, setDraft] = useState(value ?? '');
  useEffect(() => setDraft(value ?? ''), [value]);
  const commit = useDebouncedCallback((v: string) => onChange(v.trim() || undefined), 350);
  return (
    <TextInput
      ref={inputRef}
      size="xs"
      w={width}
      placeholder={placeholder}
      aria-label={placeholder}
      value={draft}
      data-testid={testId}
      onChange={(e) => {
        setDraft(e.currentTarget.value);
        commit(e.currentTarget.value);
      }}
      onKeyDown={(e) => {
        if (e.key === 'Enter') onChange(draft.trim() || undefined);
        if (e.key === 'Escape') e.currentTarget.blur();
      }}
    />
  );
}

/** A clearable choice filter: clearing it removes the filter from the URL. */
function SelectFilter({
  value,
  onChange,
  data,
  placeholder,
  label = placeholder,
  testId,
  width,
  searchable,
}: {
  value: string | undefined;
  onChange: (v: string | undefined) => void;
  data: Array<{ value: string; label: string }>;
  placeholder: string;
  label?: string;
  testId: string;
  width: number;
  searchable?: boolean;
}) {
  return (
    <Select
      size="xs"
      w={width}
      placeholder={placeholder}
      aria-label={label}
      clearable
      searchable={searchable}
      value={value ?? null}
      data={data}
      onChange={(v) => onChange(v ?? undefined)}
      data-testid={testId}
    />
  );
}

export function ThreatFiltersBar({
  filters,
  onChange,
  searchRef,
}: {
  filters: ThreatFilters;
  onChange: (patch: Partial<ThreatFilters>) => void;
  searchRef: Ref<HTMLInputElement>;
}) {
  const agents = useAgents();
  const hasFilters = Object.keys(filters).length > 0;
  const clearAll: Partial<ThreatFilters> = Object.fromEntries(
    Object.keys(filters).map((k) => [k, undefined]),
  );
  return (
    <Group gap={6} mb="xs" data-testid="threat-filters">
      <TextFilter
        inputRef={searchRef}
        width={200}
        value={filters.q}
        onChange={(q) => onChange({ q })}
        placeholder="Search…  ( / )"
        testId="filter-q"
      />
      <SelectFilter
        width={115}
        value={filters.status}
        onChange={(v) => onChange({ status: v as ThreatFilters['status'] })}
        data={threatStatuses.map((s) => ({ value: s, label: statusLabels[s] }))}
        placeholder="Status"
        testId="filter-status"
      />
      <SelectFilter
        width={150}
        value={filters.driftClass}
        onChange={(v) => onChange({ driftClass: v as ThreatFilters['driftClass'] })}
        data={driftClasses.map((c) => ({ value: c, label: driftClassLabels[c] }))}
        placeholder="Drift class"
        testId="filter-class"
      />
      <TextFilter
        width={115}
        value={filters.namespace}
        onChange={(namespace) => onChange({ namespace })}
        placeholder="Namespace"
        testId="filter-namespace"
      />
      <TextFilter
        width={110}
        value={filters.pod}
        onChange={(pod) => onChange({ pod })}
        placeholder="Pod"
        testId="filter-pod"
      />
      <TextFilter
        width={140}
        value={filters.image}
        onChange={(image) => onChange({ image })}
        placeholder="Image"
        testId="filter-image"
      />
      <SelectFilter
        width={130}
        value={filters.agentId}
        onChange={(agentId) => onChange({ agentId })}
        data={(agents.data ?? []).map((a) => ({ value: a.id, label: a.hostname }))}
        placeholder="Agent"
        testId="filter-agent"
        searchable
      />
      <SelectFilter
        width={125}
        value={filters.range}
        onChange={(v) => onChange({ range: v as TimeRange | undefined })}
        data={(Object.keys(timeRanges) as TimeRange[]).map((r) => ({
          value: r,
          label: rangeLabels[r],
        }))}
        placeholder="Any time"
        label="Time range"
        testId="filter-range"
      />
      {(filters.from || filters.to) && (
        <Button
          size="compact-xs"
          variant="light"
          onClick={() => onChange({ from: undefined, to: undefined })}
        >
          {filters.from ?? '…'} → {filters.to ?? 'now'} ✕
        </Button>
      )}
      {hasFilters && (
        <Button
          size="compact-xs"
          variant="subtle"
          onClick={() => onChange(clearAll)}
          data-testid="filter-clear"
        >
          Clear filters
        </Button>
      )}
    </Group>
  );
}
