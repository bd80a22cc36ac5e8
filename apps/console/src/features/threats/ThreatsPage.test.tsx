import type { ThreatPage } from '@driftlock/protocol';
import { act, fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { threat } from '../../test/fixtures';
import { renderPage, stubApi } from '../../test/render';
import { applyThreatCreated } from './live-cache';
import { ThreatsPage } from './ThreatsPage';

afterEach(() => vi.unstubAllGlobals());

function pages(): Record<string, ThreatPage> {
  return {
    first: {
      items: [threat({ commandLine: './minerd' }), threat({ commandLine: 'bash x.sh' })],
      nextCursor: 'c1',
    },
    c1: { items: [threat({ commandLine: 'python3 /tmp/a.py' })], nextCursor: null },
  };
}

function threatsApi(data = pages()) {
  return stubApi(({ url }) => {
    if (url.pathname === '/api/v1/threats')
      return { body: data[url.searchParams.get('cursor') ?? 'first'] };
    if (url.pathname === '/api/v1/agents') return { body: [] };
    return { status: 404, body: { statusCode: 404, error: 'Not Found', message: url.pathname } };
  });
}

const location = () => screen.getByTestId('location').textContent ?? '';
const threatRequests = (requests: ReturnType<typeof stubApi>) =>
  requests.filter((r) => r.url.pathname === '/api/v1/threats');

describe('threats page', () => {
  it('sends the filters in its URL to the API', async () => {
    const requests = threatsApi();
    renderPage(<ThreatsPage />, { url: '/threats?status=unresolved&namespace=prod&q=minerd' });
    expect(await screen.findAllByTestId('threat-row')).toHaveLength(2);
    const params = threatRequests(requests)[0].url.searchParams;
    expect(Object.fromEntries(params)).toEqual({
      status: 'unresolved',
      namespace: 'prod',
      q: 'minerd',
      limit: '50',
    });
  });

  it('writes a changed filter to the URL and fetches again from the first page', async () => {
    const requests = threatsApi();
    renderPage(<ThreatsPage />, { url: '/threats?status=unresolved&cursor=c1&prev=' });
    await screen.findAllByTestId('threat-row');
    fireEvent.change(screen.getByTestId('filter-namespace'), { target: { value: 'kube-system' } });
    fireEvent.keyDown(screen.getByTestId('filter-namespace'), { key: 'Enter' });
    await waitFor(() =>
      expect(location()).toBe('/threats?status=unresolved&namespace=kube-system'),
    );
    await waitFor(() =>
      expect(threatRequests(requests).at(-1)?.url.searchParams.get('namespace')).toBe(
        'kube-system',
      ),
    );
    expect(threatRequests(requests).at(-1)?.url.searchParams.has('cursor')).toBe(false);
  });

  it('pages forward with the next cursor and back again', async () => {
    const requests = threatsApi();
    renderPage(<ThreatsPage />, { url: '/threats?status=unresolved' });
    await screen.findAllByTestId('threat-row');
    expect(screen.getByTestId('threats-prev')).toBeDisabled();
    fireEvent.click(screen.getByTestId('threats-next'));
    await waitFor(() => expect(location()).toBe('/threats?status=unresolved&cursor=c1&prev='));
    await waitFor(() => expect(screen.getAllByTestId('threat-row')).toHaveLength(1));
    expect(threatRequests(requests).at(-1)?.url.searchParams.get('cursor')).toBe('c1');
    expect(screen.getByTestId('threats-next')).toBeDisabled();
    fireEvent.click(screen.getByTestId('threats-prev'));
    await waitFor(() => expect(location()).toBe('/threats?status=unresolved'));
    await waitFor(() => expect(screen.getAllByTestId('threat-row')).toHaveLength(2));
  });

  it('moves the row cursor with j/k and opens the threat with Enter', async () => {
    threatsApi();
    renderPage(<ThreatsPage />, { url: '/threats' });
    const rows = await screen.findAllByTestId('threat-row');
    expect(rows[0]).toHaveAttribute('data-cursor', 'true');
    fireEvent.keyDown(document.documentElement, { key: 'j' });
    await waitFor(() =>
      expect(screen.getAllByTestId('threat-row')[1]).toHaveAttribute('data-cursor', 'true'),
    );
    fireEvent.keyDown(document.documentElement, { key: 'Enter' });
    await waitFor(() =>
      expect(location()).toBe(`/threats/${rows[1].getAttribute('data-threat-id')}`),
    );
  });

  it('puts a threat pushed live on top of a first page whose filters it matches', async () => {
    threatsApi();
    const { client } = renderPage(<ThreatsPage />, { url: '/threats?namespace=prod' });
    await screen.findAllByTestId('threat-row');
    act(() => {
      applyThreatCreated(client, threat({ commandLine: './kinsing', namespace: 'prod' }));
      applyThreatCreated(client, threat({ commandLine: './other-namespace', namespace: 'dev' }));
    });
    const rows = await screen.findAllByTestId('threat-row');
    expect(rows).toHaveLength(3);
    expect(rows[0]).toHaveTextContent('./kinsing');
    expect(rows[0]).toHaveAttribute('data-fresh', 'true');
  });

  it('changes the status of the selected threats in one request', async () => {
    const requests = threatsApi();
    renderPage(<ThreatsPage />, { url: '/threats' });
    const rows = await screen.findAllByTestId('threat-row');
    fireEvent.click(screen.getAllByTestId('threat-row-select')[0]);
    fireEvent.click(screen.getAllByTestId('threat-row-select')[1]);
    fireEvent.click(screen.getByTestId('bulk-status'));
    fireEvent.click(await screen.findByTestId('bulk-status-resolved'));
    await waitFor(() =>
      expect(requests.some((r) => r.url.pathname === '/api/v1/threats/bulk-status')).toBe(true),
    );
    const bulk = requests.find((r) => r.url.pathname === '/api/v1/threats/bulk-status');
    expect(bulk?.body).toEqual({
      ids: rows.map((r) => r.getAttribute('data-threat-id')),
      status: 'resolved',
    });
  });

  it('shows a viewer no selection or bulk controls', async () => {
    threatsApi();
    renderPage(<ThreatsPage />, { url: '/threats', role: 'viewer' });
    await screen.findAllByTestId('threat-row');
    expect(screen.queryByTestId('threat-row-select')).toBeNull();
    expect(screen.queryByTestId('threats-select-all')).toBeNull();
  });
});
