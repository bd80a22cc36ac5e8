import type { PolicySettings } from '@driftlock/protocol';
import { Badge, Group, SegmentedControl, Switch } from '@mantine/core';

/**
 * The one-click Application Control toggle and its mode. While a change is in flight the
 * requested value is shown (optimistic); if the server refuses it the saved value comes back.
 */
export function PolicyToggle({
  saved,
  pending,
  canWrite,
  onChange,
  testId,
  size = 'md',
}: {
  saved: PolicySettings;
  /** The value being saved, if any. */
  pending: PolicySettings | undefined;
  canWrite: boolean;
  onChange: (settings: PolicySettings) => void;
  testId: string;
  size?: 'xs' | 'sm' | 'md' | 'lg';
}) {
  const shown = pending ?? saved;
  if (!canWrite) {
    return (
      <Group gap={6} data-testid={testId} data-enabled={shown.enabled} data-mode={shown.mode}>
        <Badge color={shown.enabled ? 'green' : 'gray'} variant="filled" radius="sm">
          {shown.enabled ? 'ON' : 'OFF'}
        </Badge>
        <Badge color={shown.mode === 'protect' ? 'red' : 'yellow'} variant="light" radius="sm">
          {shown.mode}
        </Badge>
      </Group>
    );
  }
  return (
    <Group
      gap="sm"
      wrap="nowrap"
      data-testid={testId}
      data-enabled={shown.enabled}
      data-mode={shown.mode}
      data-pending={pending !== undefined}
    >
      <Switch
        size={size}
        checked={shown.enabled}
        onLabel="ON"
        offLabel="OFF"
        color="green"
        aria-label="Application Control enabled"
        data-testid={`${testId}-switch`}
        onChange={(e) => onChange({ ...shown, enabled: e.currentTarget.checked })}
      />
      <SegmentedControl
        size={size === 'md' || size === 'lg' ? 'sm' : 'xs'}
        value={shown.mode}
        aria-label="Application Control mode"
        data-testid={`${testId}-mode`}
        data={[
          { value: 'protect', label: 'Protect' },
          { value: 'detect', label: 'Detect' },
        ]}
        onChange={(mode) => onChange({ ...shown, mode: mode === 'detect' ? 'detect' : 'protect' })}
      />
    </Group>
  );
}
