import type { PolicySettings, PolicyView } from '@driftlock/protocol';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { policyView } from '../../test/fixtures';
import { renderPage, stubApi } from '../../test/render';
import { PolicyPage } from './PolicyPage';

afterEach(() => vi.unstubAllGlobals());

/** A policy endpoint that stores what it is sent, or refuses it, and answers with the new view. */
function policyApi({ refuse = false, slow }: { refuse?: boolean; slow?: Promise<void> } = {}) {
  let policy: PolicyView = policyView();
  const requests = stubApi(async ({ method, url, body }) => {
    if (url.pathname === '/api/v1/policy' && method === 'GET') return { body: policy };
    if (url.pathname === '/api/v1/policy/history') return { body: [] };
    if (url.pathname === '/api/v1/policy/default' && method === 'PUT') {
      await slow;
      if (refuse)
        return {
          status: 403,
          body: { statusCode: 403, error: 'Forbidden', message: 'policy:write required' },
        };
      policy = {
        ...policy,
        version: policy.version + 1,
        default: body as PolicySettings,
        updatedBy: 'analyst@driftlock.test',
      };
      return { body: policy };
    }
    return { status: 404, body: { statusCode: 404, error: 'Not Found', message: url.pathname } };
  });
  return requests;
}

const toggle = () => screen.getByTestId('policy-toggle');

describe('Application Control toggle', () => {
  it('shows the saved state, who changed it and how many agents applied it', async () => {
    policyApi();
    renderPage(<PolicyPage />);
    await screen.findByTestId('policy-toggle');
    expect(toggle()).toHaveAttribute('data-enabled', 'true');
    expect(toggle()).toHaveAttribute('data-mode', 'protect');
    expect(screen.getByTestId('policy-updated-by')).toHaveTextContent('alice@driftlock.test');
    expect(screen.getByTestId('policy-agents-applied')).toHaveTextContent('3/4');
  });

  it('turns protection off in one click, showing the new state at once and then the saved one', async () => {
    let release = () => {};
    const requests = policyApi({ slow: new Promise<void>((r) => (release = r)) });
    renderPage(<PolicyPage />);
    await screen.findByTestId('policy-toggle');
    fireEvent.click(screen.getByTestId('policy-toggle-switch'));
    // Optimistic: the switch shows OFF while the request is in flight.
    await waitFor(() => expect(toggle()).toHaveAttribute('data-enabled', 'false'));
    expect(toggle()).toHaveAttribute('data-pending', 'true');
    release();
    await waitFor(() => expect(screen.getByTestId('policy-version')).toHaveTextContent('8'));
    expect(toggle()).toHaveAttribute('data-enabled', 'false');
    expect(toggle()).toHaveAttribute('data-pending', 'false');
    const put = requests.find((r) => r.method === 'PUT');
    expect(put?.url.pathname).toBe('/api/v1/policy/default');
    expect(put?.body).toEqual({ enabled: false, mode: 'protect' });
  });

  it('switches the mode to detect, keeping protection on', async () => {
    const requests = policyApi();
    renderPage(<PolicyPage />);
    await screen.findByTestId('policy-toggle');
    fireEvent.click(screen.getAllByText('Detect')[0]);
    await waitFor(() => expect(toggle()).toHaveAttribute('data-mode', 'detect'));
    await waitFor(() =>
      expect(requests.find((r) => r.method === 'PUT')?.body).toEqual({
        enabled: true,
        mode: 'detect',
      }),
    );
  });

  it('goes back to the saved state and says why when the server refuses the change', async () => {
    policyApi({ refuse: true });
    renderPage(<PolicyPage />);
    await screen.findByTestId('policy-toggle');
    fireEvent.click(screen.getByTestId('policy-toggle-switch'));
    expect(await screen.findAllByText(/policy:write required/)).not.toHaveLength(0);
    await waitFor(() => expect(toggle()).toHaveAttribute('data-enabled', 'true'));
  });

  it('shows a viewer the state without any control to change it', async () => {
    policyApi();
    renderPage(<PolicyPage />, { role: 'viewer' });
    await screen.findByTestId('policy-toggle');
    expect(screen.queryByTestId('policy-toggle-switch')).toBeNull();
    expect(screen.queryByRole('switch')).toBeNull();
    expect(screen.queryByTestId('policy-override-form')).toBeNull();
    expect(toggle()).toHaveTextContent('ON');
  });
});
