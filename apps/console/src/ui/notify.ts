import { notifications } from '@mantine/notifications';
import { errorMessage } from '../api/client';

/** An `onError` for a mutation: a red notification titled `title` with the server's message. */
export function notifyFailure(title: string) {
  return (error: unknown) =>
    notifications.show({ color: 'red', title, message: errorMessage(error) });
}
