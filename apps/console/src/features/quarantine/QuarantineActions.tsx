import type { QuarantineItem } from '@driftlock/protocol';
import { Button, Group } from '@mantine/core';
import { modals } from '@mantine/modals';
import { notifications } from '@mantine/notifications';
import { Can } from '../../auth/session';
import { notifyFailure } from '../../ui/notify';
import { useQuarantineCommand, type QuarantineCommand } from './queries';

/** Restore / delete buttons for one quarantined file (admin only; shown only while it is held). */
export function QuarantineActions({ item }: { item: QuarantineItem }) {
  const command = useQuarantineCommand();
  const held = item.status === 'quarantined' || item.status === 'command_failed';
  if (!held) return null;
  const run = (c: QuarantineCommand) =>
    command.mutate(
      { id: item.id, command: c },
      {
        onSuccess: () =>
          notifications.show({
            message: `${c === 'restore' ? 'Restore' : 'Delete'} sent to ${item.hostname}`,
          }),
        onError: notifyFailure(`Quarantine ${c} refused`),
      },
    );
  const confirm = (c: QuarantineCommand) =>
    modals.openConfirmModal({
      title: c === 'restore' ? 'Restore this file?' : 'Delete this file for good?',
      children:
        c === 'restore'
          ? `${item.path} goes back where it was on ${item.hostname}. If protection is on, running it again is drift again unless an exception covers it.`
          : `${item.path} (sha256 ${item.sha256 ?? 'unknown'}) is deleted from quarantine on ${item.hostname}. This cannot be undone.`,
      labels: { confirm: c === 'restore' ? 'Restore' : 'Delete', cancel: 'Cancel' },
      confirmProps: {
        color: c === 'restore' ? 'blue' : 'red',
        'data-testid': `quarantine-${c}-confirm`,
      },
      onConfirm: () => run(c),
    });
  return (
    <Can permission="quarantine:write">
      <Group gap={4} wrap="nowrap">
        <Button
          size="compact-xs"
          variant="light"
          loading={command.isPending && command.variables?.command === 'restore'}
          onClick={() => confirm('restore')}
          data-testid="quarantine-restore"
        >
          Restore
        </Button>
        <Button
          size="compact-xs"
          variant="light"
          color="red"
          loading={command.isPending && command.variables?.command === 'delete'}
          onClick={() => confirm('delete')}
          data-testid="quarantine-delete"
        >
          Delete
        </Button>
      </Group>
    </Can>
  );
}
