import { Center, Loader } from '@mantine/core';
import type { QueryClient } from '@tanstack/react-query';
import { BrowserRouter, Navigate, Route, Routes } from 'react-router';
import { LoginPage } from '../auth/LoginPage';
import { SessionProvider, useMeQuery } from '../auth/session';
import { roleAllows, type Permission } from '@driftlock/protocol';
import { ErrorAlert } from '../ui/page';
import { ThreatsPage } from '../features/threats/ThreatsPage';
import { Layout } from './Layout';
import {
  AgentsPage,
  ApiTokensPage,
  AuditPage,
  DashboardPage,
  PolicyPage,
  QuarantinePage,
  StorylinePage,
  ThreatDetailPage,
  UsersPage,
  WebhooksPage,
} from './pages';
import { Providers } from './providers';

export function App({ client }: { client: QueryClient }) {
  return (
    <Providers client={client}>
      <BrowserRouter>
        <SignedInOrLogin />
      </BrowserRouter>
    </Providers>
  );
}

/** Every console page, with the permission it needs to be shown at all. */
export const pages: Array<{ path: string; element: React.ReactNode; permission: Permission }> = [
  { path: '/', element: <DashboardPage />, permission: 'threats:read' },
  { path: '/threats', element: <ThreatsPage />, permission: 'threats:read' },
  { path: '/threats/:id', element: <ThreatDetailPage />, permission: 'threats:read' },
  { path: '/threats/:id/storyline', element: <StorylinePage />, permission: 'threats:read' },
  { path: '/policy', element: <PolicyPage />, permission: 'policy:read' },
  { path: '/fleet', element: <AgentsPage />, permission: 'agents:read' },
  { path: '/quarantine', element: <QuarantinePage />, permission: 'quarantine:read' },
  { path: '/api-tokens', element: <ApiTokensPage />, permission: 'tokens:write' },
  { path: '/users', element: <UsersPage />, permission: 'users:read' },
  { path: '/audit', element: <AuditPage />, permission: 'audit:read' },
  { path: '/webhooks', element: <WebhooksPage />, permission: 'webhooks:read' },
];

function SignedInOrLogin() {
  const me = useMeQuery();
  if (me.isPending)
    return (
      <Center h="100vh">
        <Loader />
      </Center>
    );
  if (me.error) return <ErrorAlert error={me.error} title="Cannot reach the driftlock server" />;
  if (!me.data)
    return (
      <Routes>
        <Route path="*" element={<LoginPage />} />
      </Routes>
    );
  const role = me.data.user.role;
  return (
    <SessionProvider me={me.data}>
      <Routes>
        <Route element={<Layout />}>
          {pages
            .filter((p) => roleAllows(role, p.permission))
            .map((p) => (
              <Route key={p.path} path={p.path} element={p.element} />
            ))}
          <Route path="/login" element={<Navigate to="/" replace />} />
          <Route path="*" element={<Navigate to="/" replace />} />
        </Route>
      </Routes>
    </SessionProvider>
  );
}
