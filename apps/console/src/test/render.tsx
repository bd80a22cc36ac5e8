import type { Me, Role } from '@driftlock/protocol';
import { render } from '@testing-library/react';
import type { ReactNode } from 'react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router';
import { vi } from 'vitest';
import { createQueryClient, Providers } from '../app/providers';
import { SessionProvider } from '../auth/session';

export function meAs(role: Role): Me {
  return {
    via: 'session',
    user: {
      id: '00000000-0000-4000-8000-000000000001',
      email: `${role}@driftlock.test`,
      name: `Test ${role}`,
      role,
      disabled: false,
      createdAt: '2026-12-01T00:00:00.000Z',
      lastLoginAt: null,
    },
  };
}

/** Shows the router's current location so tests can read what the page wrote to its URL. */
function LocationProbe() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

export function renderPage(
  element: ReactNode,
  { role = 'analyst', url = '/', path = '*' }: { role?: Role; url?: string; path?: string } = {},
) {
  const client = createQueryClient();
  client.setDefaultOptions({ queries: { retry: false, staleTime: Infinity } });
  const result = render(
    <Providers client={client}>
      <SessionProvider me={meAs(role)}>
        <MemoryRouter initialEntries={[url]}>
          <Routes>
            <Route path={path} element={element} />
          </Routes>
          <LocationProbe />
        </MemoryRouter>
      </SessionProvider>
    </Providers>,
  );
  return { ...result, client };
}

export interface RecordedRequest {
  method: string;
  url: URL;
  body: unknown;
}

type Handler = (
  req: RecordedRequest,
) => { status?: number; body?: unknown } | Promise<{ status?: number; body?: unknown }>;

/**
 * Replaces `fetch` for one component test with a handler that answers like the REST API would,
 * recording every request. Only the network edge is replaced; the page's own code all runs.
 */
export function stubApi(handler: Handler) {
  const requests: RecordedRequest[] = [];
  const fetchStub = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const url = new URL(String(input), 'http://console.test');
    const req: RecordedRequest = {
      method: init?.method ?? 'GET',
      url,
      body: typeof init?.body === 'string' ? JSON.parse(init.body) : undefined,
    };
    requests.push(req);
    const { status = 200, body } = await handler(req);
    return new Response(body === undefined ? '' : JSON.stringify(body), {
      status,
      headers: { 'Content-Type': 'application/json' },
    });
  });
  vi.stubGlobal('fetch', fetchStub);
  return requests;
}
