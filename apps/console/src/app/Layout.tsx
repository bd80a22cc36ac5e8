import {
  AppShell,
  Center,
  Loader,
  Badge,
  Button,
  Group,
  NavLink,
  ScrollArea,
  Stack,
  Text,
  Tooltip,
} from '@mantine/core';
import { Suspense } from 'react';
import { Link, Outlet, useLocation } from 'react-router';
import { useLiveUpdates } from '../api/live';
import { roleAllows, type Permission } from '@driftlock/protocol';
import { useLogout, useSession } from '../auth/session';

const nav: Array<{ to: string; label: string; permission: Permission; testId: string }> = [
  { to: '/', label: 'Dashboard', permission: 'threats:read', testId: 'nav-dashboard' },
  { to: '/threats', label: 'Threats', permission: 'threats:read', testId: 'nav-threats' },
  { to: '/policy', label: 'Application Control', permission: 'policy:read', testId: 'nav-policy' },
  { to: '/fleet', label: 'Agents', permission: 'agents:read', testId: 'nav-agents' },
  {
    to: '/quarantine',
    label: 'Quarantine',
    permission: 'quarantine:read',
    testId: 'nav-quarantine',
  },
  { to: '/api-tokens', label: 'API tokens', permission: 'tokens:write', testId: 'nav-api-tokens' },
  { to: '/users', label: 'Users', permission: 'users:read', testId: 'nav-users' },
  { to: '/webhooks', label: 'Webhooks', permission: 'webhooks:read', testId: 'nav-webhooks' },
  { to: '/audit', label: 'Audit log', permission: 'audit:read', testId: 'nav-audit' },
];

const liveColor = { live: 'green', connecting: 'yellow', offline: 'red' } as const;

export function Layout() {
  const { user } = useSession();
  const logout = useLogout();
  const location = useLocation();
  const live = useLiveUpdates();
  const isActive = (to: string) =>
    to === '/' ? location.pathname === '/' : location.pathname.startsWith(to);

  return (
    <AppShell navbar={{ width: 210, breakpoint: 0 }} padding="sm">
      <AppShell.Navbar p="xs">
        <AppShell.Section>
          <Group justify="space-between" mb="sm" px={6}>
            <Text fw={800} size="lg" c="blue.4">
              driftlock
            </Text>
            <Tooltip label={`Live updates: ${live}`}>
              <Badge
                size="xs"
                variant="dot"
                color={liveColor[live]}
                data-testid="live-state"
                data-state={live}
              >
                {live}
              </Badge>
            </Tooltip>
          </Group>
        </AppShell.Section>
        <AppShell.Section grow component={ScrollArea}>
          {nav
            .filter((n) => roleAllows(user.role, n.permission))
            .map((n) => (
              <NavLink
                key={n.to}
                component={Link}
                to={n.to}
                label={n.label}
                active={isActive(n.to)}
                data-testid={n.testId}
              />
            ))}
        </AppShell.Section>
        <AppShell.Section>
          <Stack gap={4} px={6} pt="sm">
            <Text size="sm" fw={600} truncate data-testid="current-user">
              {user.name || user.email}
            </Text>
            <Group justify="space-between">
              <Badge size="xs" variant="light" data-testid="current-role">
                {user.role}
              </Badge>
              <Button
                size="compact-xs"
                variant="subtle"
                onClick={() => logout.mutate()}
                loading={logout.isPending}
                data-testid="sign-out"
              >
                Sign out
              </Button>
            </Group>
          </Stack>
        </AppShell.Section>
      </AppShell.Navbar>
      <AppShell.Main>
        <Suspense
          fallback={
            <Center p="xl">
              <Loader size="sm" />
            </Center>
          }
        >
          <Outlet />
        </Suspense>
      </AppShell.Main>
    </AppShell>
  );
}
