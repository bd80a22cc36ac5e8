import { Button, Modal, Stack, type ModalProps } from '@mantine/core';
import type { ReactNode } from 'react';
import { ErrorAlert } from './page';

/** A create form: its fields, the mutation's error if it failed, and a submit button. */
export function CreateForm({
  mutation,
  onSubmit,
  errorTitle,
  submitLabel,
  submitTestId,
  disabled,
  children,
}: {
  mutation: { isPending: boolean; error: unknown };
  onSubmit: () => void;
  errorTitle: string;
  submitLabel: string;
  submitTestId?: string;
  disabled?: boolean;
  children: ReactNode;
}) {
  return (
    <Stack
      gap="sm"
      component="form"
      onSubmit={(e) => {
        e.preventDefault();
        onSubmit();
      }}
    >
      {children}
      {mutation.error ? <ErrorAlert error={mutation.error} title={errorTitle} /> : null}
      <Button
        type="submit"
        loading={mutation.isPending}
        disabled={disabled}
        data-testid={submitTestId}
      >
        {submitLabel}
      </Button>
    </Stack>
  );
}

/** The modal a create form opens in: the form mounts only while it is open, so each opening starts empty. */
export function FormModal({
  opened,
  onClose,
  title,
  size,
  children,
}: {
  opened: boolean;
  onClose: () => void;
  title: string;
  size?: ModalProps['size'];
  children: ReactNode;
}) {
  return (
    <Modal opened={opened} onClose={onClose} title={title} size={size}>
      {opened && children}
    </Modal>
  );
}
