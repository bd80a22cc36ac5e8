import { Button, Center, Paper, PasswordInput, Stack, Text, TextInput, Title } from '@mantine/core';
import { useState, type FormEvent } from 'react';
import { ApiRequestError, errorMessage } from '../api/client';
import { useLogin } from './session';

export function LoginPage() {
  const login = useLogin();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');

  const submit = (e: FormEvent) => {
    e.preventDefault();
    login.mutate({ email, password });
  };

  const failure =
    login.error instanceof ApiRequestError && login.error.status === 401
      ? 'Wrong email or password.'
      : login.error
        ? errorMessage(login.error)
        : null;

  return (
    <Center h="100vh">
      <Paper withBorder p="lg" w={360} component="form" onSubmit={submit} data-testid="login-form">
        <Stack gap="sm">
          <Title order={3}>driftlock</Title>
          <Text size="sm" c="dimmed">
            Sign in to the console
          </Text>
          <TextInput
            label="Email"
            type="email"
            autoComplete="username"
            required
            autoFocus
            value={email}
            onChange={(e) => setEmail(e.currentTarget.value)}
            data-testid="login-email"
          />
          <PasswordInput
            label="Password"
            autoComplete="current-password"
            required
            value={password}
            onChange={(e) => setPassword(e.currentTarget.value)}
            data-testid="login-password"
          />
          {failure && (
            <Text c="red" size="sm" data-testid="login-error">
              {failure}
            </Text>
          )}
          <Button type="submit" loading={login.isPending} data-testid="login-submit">
            Sign in
          </Button>
        </Stack>
      </Paper>
    </Center>
  );
}
