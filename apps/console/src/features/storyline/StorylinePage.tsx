import type { StorylineNode } from '@driftlock/protocol';
import { Anchor, Badge, Box, Code, Group, Paper, Stack, Text, Title } from '@mantine/core';
import { useHotkeys } from '@mantine/hooks';
import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router';
import { formatTime } from '../../ui/format';
import { Fields, QueryState } from '../../ui/page';
import { mitigationOutcomes } from '../threats/mitigations';
import { useStoryline, useThreat } from '../threats/queries';
import {
  commandLine,
  layoutStoryline,
  neighbour,
  originLabel,
  processName,
  type StorylineLayout,
} from './layout';
import { StorylineGraph } from './StorylineGraph';

export function StorylinePage() {
  const { id = '' } = useParams();
  const storyline = useStoryline(id);
  const threat = useThreat(id);
  const layout = useMemo(
    () => (storyline.data ? layoutStoryline(storyline.data) : null),
    [storyline.data],
  );
  const marks = useMemo(() => {
    const outcomes = mitigationOutcomes(threat.data?.mitigations ?? []);
    return [outcomes.killed && 'KILLED', outcomes.quarantined && 'QUARANTINED'].filter(
      (m): m is string => Boolean(m),
    );
  }, [threat.data]);

  return (
    <Stack gap="xs" h="calc(100vh - 2 * var(--mantine-spacing-sm))">
      <Group justify="space-between">
        <Group gap="xs">
          <Anchor component={Link} to={`/threats/${id}`} size="sm">
            ← Threat
          </Anchor>
          <Title order={4}>Storyline</Title>
          {threat.data && (
            <Code data-testid="storyline-threat-command">{threat.data.commandLine}</Code>
          )}
        </Group>
        {storyline.data && (
          <Group gap="xs">
            <Badge variant="light">{originLabel(storyline.data.origin)}</Badge>
            <Text size="xs" c="dimmed" data-testid="storyline-count">
              {storyline.data.nodes.length} processes · drag to pan, scroll to zoom, arrows to walk,
              t: threat
            </Text>
          </Group>
        )}
      </Group>
      <QueryState query={storyline}>
        {() => layout && <StorylineWorkspace layout={layout} marks={marks} />}
      </QueryState>
    </Stack>
  );
}

function StorylineWorkspace({ layout, marks }: { layout: StorylineLayout; marks: string[] }) {
  const [selectedId, setSelectedId] = useState<string | null>(layout.threat?.id ?? null);
  const selected = selectedId ? layout.byId.get(selectedId) : undefined;
  const move = (direction: 'left' | 'right' | 'up' | 'down') => {
    const next = selectedId ? neighbour(layout, selectedId, direction) : layout.nodes[0]?.id;
    if (next) setSelectedId(next);
  };
  useHotkeys([
    ['ArrowLeft', () => move('left')],
    ['ArrowRight', () => move('right')],
    ['ArrowUp', () => move('up')],
    ['ArrowDown', () => move('down')],
    ['t', () => setSelectedId(layout.threat?.id ?? null)],
  ]);
  return (
    <Group align="stretch" gap="xs" wrap="nowrap" style={{ flex: 1, minHeight: 0 }}>
      <Paper
        withBorder
        style={{ flex: 1, minWidth: 0, overflow: 'hidden' }}
        data-testid="storyline"
      >
        <StorylineGraph
          layout={layout}
          selectedId={selectedId}
          onSelect={setSelectedId}
          threatMarks={marks}
        />
      </Paper>
      <Paper withBorder p="sm" w={340} style={{ overflowY: 'auto' }} data-testid="storyline-panel">
        {selected?.process ? (
          <ProcessDetails
            process={selected.process}
            parent={
              selected.parentId ? (layout.byId.get(selected.parentId)?.process ?? null) : null
            }
            isThreat={selected.isThreat}
            marks={marks}
            onSelectParent={setSelectedId}
          />
        ) : (
          <Text size="sm" c="dimmed">
            Select a process to see its details.
          </Text>
        )}
      </Paper>
    </Group>
  );
}

function ProcessDetails({
  process,
  parent,
  isThreat,
  marks,
  onSelectParent,
}: {
  process: StorylineNode;
  parent: StorylineNode | null;
  isThreat: boolean;
  marks: string[];
  onSelectParent: (id: string) => void;
}) {
  return (
    <Stack gap="xs" data-testid="process-details" data-process-id={process.processId}>
      <Group gap={6}>
        <Title order={5} data-testid="process-name">
          {processName(process)}
        </Title>
        {isThreat && (
          <Badge color="red" size="sm">
            threat
          </Badge>
        )}
        {isThreat &&
          marks.map((m) => (
            <Badge key={m} color={m === 'KILLED' ? 'red' : 'orange'} size="sm" variant="filled">
              {m}
            </Badge>
          ))}
      </Group>
      <Box>
        <Text size="xs" c="dimmed">
          Command line
        </Text>
        <Code
          block
          data-testid="process-command-line"
          style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-all' }}
        >
          {commandLine(process)}
        </Code>
      </Box>
      <Fields
        fields={[
          { label: 'pid', value: process.pid, testId: 'process-pid' },
          {
            label: 'Parent',
            value: parent ? (
              <Anchor size="sm" onClick={() => onSelectParent(parent.processId)}>
                {processName(parent)} ({process.ppid})
              </Anchor>
            ) : (
              `ppid ${process.ppid}`
            ),
            testId: 'process-parent',
          },
          {
            label: 'User',
            value: process.user ? `${process.user} (${process.uid})` : `uid ${process.uid}`,
            testId: 'process-user',
          },
          { label: 'Exit code', value: exitText(process), testId: 'process-exit-code' },
          { label: 'Started', value: formatTime(process.startedAt), testId: 'process-started' },
          { label: 'Exited', value: formatTime(process.exitedAt), testId: 'process-exited' },
        ]}
      />
      <Fields
        cols={1}
        fields={[
          { label: 'Executable', value: <Code>{process.exe}</Code> },
          { label: 'Working directory', value: process.cwd ?? '—' },
          {
            label: 'Container',
            value: process.containerId ? <Code>{process.containerId.slice(0, 12)}</Code> : 'host',
          },
          { label: 'Started by', value: process.origin ? originLabel(process.origin) : '—' },
          {
            label: 'Sensor flags',
            value: process.flags.length ? (
              <Group gap={4}>
                {process.flags.map((f) => (
                  <Badge key={f} size="xs" variant="outline">
                    {f}
                  </Badge>
                ))}
              </Group>
            ) : (
              '—'
            ),
          },
          { label: 'Process id', value: <Code>{process.processId}</Code> },
        ]}
      />
    </Stack>
  );
}

function exitText(p: StorylineNode): string {
  if (p.exitCode === null && p.signal === null) return p.exitedAt ? 'unknown' : 'running';
  const parts = [];
  if (p.exitCode !== null) parts.push(String(p.exitCode));
  if (p.signal !== null) parts.push(`signal ${p.signal}${p.signal === 9 ? ' (SIGKILL)' : ''}`);
  return parts.join(' · ');
}
