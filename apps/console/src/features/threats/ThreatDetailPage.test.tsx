import type { Role } from '@driftlock/protocol';
import { fireEvent, screen, waitFor } from '@testing-library/react';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { policyView, quarantineItem, threatDetail } from '../../test/fixtures';
import { renderPage, stubApi } from '../../test/render';
import { ThreatDetailPage } from './ThreatDetailPage';

afterEach(() => vi.unstubAllGlobals());

const detail = threatDetail({ verdict: 'false_positive' });

function forensicsApi() {
  return stubApi(({ method, url }) => {
    if (url.pathname === `/api/v1/threats/${detail.id}` && method === 'GET')
      return { body: detail };
    if (url.pathname === `/api/v1/threats/${detail.id}` && method === 'PATCH')
      return { body: { ...detail, status: 'resolved' } };
    if (url.pathname === '/api/v1/quarantine') return { body: [quarantineItem()] };
    if (url.pathname === '/api/v1/policy/exceptions') return { status: 201, body: policyView() };
    return { status: 404, body: { statusCode: 404, error: 'Not Found', message: url.pathname } };
  });
}

function open(role: Role) {
  const requests = forensicsApi();
  renderPage(<ThreatDetailPage />, { role, url: `/threats/${detail.id}`, path: '/threats/:id' });
  return requests;
}

describe('threat forensics', () => {
  it('shows what was run, what was done about it, and where', async () => {
    open('viewer');
    await screen.findByTestId('threat-detail');
    expect(screen.getByTestId('threat-command-line')).toHaveTextContent('./minerd');
    expect(screen.getByTestId('threat-engine')).toHaveTextContent('Application Control');
    expect(screen.getByTestId('badge-killed')).toHaveTextContent('KILLED · exit 137');
    expect(screen.getByTestId('badge-quarantined')).toHaveTextContent(
      'QUARANTINED · sha256 e3b0c44298fc',
    );
    expect(screen.getByTestId('threat-file-sha256')).toHaveTextContent(detail.file.sha256 ?? '');
    expect(screen.getAllByTestId('pod-label').map((l) => l.textContent)).toEqual([
      'app=node-web-app',
      'tier=frontend',
    ]);
    expect(screen.getByTestId('threat-image-digest')).toHaveTextContent('sha256:abc');
    expect(screen.getByTestId('threat-cluster')).toHaveTextContent('prod');
  });

  it('gives a viewer no control to change anything', async () => {
    open('viewer');
    await screen.findByTestId('threat-detail');
    await screen.findByTestId('threat-quarantine');
    expect(screen.queryByTestId('threat-status-control')).toBeNull();
    expect(screen.queryByTestId('threat-note-input')).toBeNull();
    expect(screen.queryByTestId('create-exception')).toBeNull();
    expect(screen.queryByTestId('quarantine-restore')).toBeNull();
  });

  it('lets an analyst triage but leaves quarantine to admins', async () => {
    open('analyst');
    await screen.findByTestId('threat-quarantine');
    expect(screen.getByTestId('threat-status-control')).toBeInTheDocument();
    expect(screen.queryByTestId('quarantine-restore')).toBeNull();
  });

  it('offers an admin restore and delete of the quarantined file', async () => {
    open('admin');
    expect(await screen.findByTestId('quarantine-restore')).toBeInTheDocument();
    expect(screen.getByTestId('quarantine-delete')).toBeInTheDocument();
  });

  it('turns a false positive into an exception for its sha256, linked to the threat', async () => {
    const requests = open('analyst');
    fireEvent.click(await screen.findByTestId('create-exception'));
    fireEvent.click(await screen.findByTestId('exception-submit'));
    await waitFor(() =>
      expect(requests.some((r) => r.url.pathname === '/api/v1/policy/exceptions')).toBe(true),
    );
    const body = requests.find((r) => r.url.pathname === '/api/v1/policy/exceptions')?.body;
    expect(body).toEqual({
      sha256: detail.file.sha256,
      path: null,
      comment: 'False positive: ./minerd in prod',
      threatId: detail.id,
    });
  });
});
