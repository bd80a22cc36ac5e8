import { describe, expect, it } from 'vitest';
import { threat } from '../../test/fixtures';
import {
  matchesFilters,
  nextPage,
  previousPage,
  readThreatSearch,
  toListQuery,
  withFilters,
  writeThreatSearch,
  type ThreatSearch,
} from './filters';

const agentId = '00000000-0000-4000-8000-0000000000a9';

describe('threat filters in the URL', () => {
  it('reads every filter and the page position from the query string', () => {
    const search = readThreatSearch(
      new URLSearchParams(
        `status=unresolved&driftClass=new_binary&namespace=prod&pod=web-1&image=nginx&agentId=${agentId}&range=24h&q=minerd&cursor=c2&prev=&prev=c1`,
      ),
    );
    expect(search).toEqual({
      filters: {
        status: 'unresolved',
        driftClass: 'new_binary',
        namespace: 'prod',
        pod: 'web-1',
        image: 'nginx',
        agentId,
        range: '24h',
        q: 'minerd',
      },
      cursor: 'c2',
      trail: ['', 'c1'],
    });
  });

  it('writes what it reads, so a shared link opens the same view', () => {
    const search: ThreatSearch = {
      filters: {
        status: 'resolved',
        namespace: 'kube-system',
        q: './x.sh',
        from: '2026-12-01T00:00:00.000Z',
      },
      cursor: 'abc',
      trail: ['', 'xyz'],
    };
    expect(readThreatSearch(writeThreatSearch(search))).toEqual(search);
  });

  it('drops values a hand-edited link made invalid instead of sending them', () => {
    const search = readThreatSearch(
      new URLSearchParams(
        'status=bogus&driftClass=virus&agentId=not-a-uuid&range=1y&from=yesterday&namespace=prod',
      ),
    );
    expect(search.filters).toEqual({ namespace: 'prod' });
  });

  it('ignores a page trail without a cursor (the first page has no previous)', () => {
    expect(readThreatSearch(new URLSearchParams('prev=c1')).trail).toEqual([]);
  });

  it('starts again from the first page when a filter changes', () => {
    const onPage3: ThreatSearch = {
      filters: { status: 'unresolved' },
      cursor: 'c2',
      trail: ['', 'c1'],
    };
    expect(withFilters(onPage3, { namespace: 'prod' })).toEqual({
      filters: { status: 'unresolved', namespace: 'prod' },
      trail: [],
    });
  });

  it('clears a filter set to undefined and lets a range replace explicit times', () => {
    const search: ThreatSearch = {
      filters: { status: 'unresolved', from: '2026-12-01T00:00:00.000Z' },
      trail: [],
    };
    expect(withFilters(search, { status: undefined, range: '7d' }).filters).toEqual({
      range: '7d',
    });
  });
});

describe('keyset pagination', () => {
  it('walks forward with next cursors and back through the trail', () => {
    const first: ThreatSearch = { filters: { status: 'unresolved' }, trail: [] };
    const second = nextPage(first, 'c1');
    const third = nextPage(second, 'c2');
    expect(second).toEqual({ filters: { status: 'unresolved' }, cursor: 'c1', trail: [''] });
    expect(third).toEqual({ filters: { status: 'unresolved' }, cursor: 'c2', trail: ['', 'c1'] });
    expect(previousPage(third)).toEqual(second);
    expect(previousPage(second)).toEqual({
      filters: { status: 'unresolved' },
      cursor: undefined,
      trail: [],
    });
  });

  it('turns the URL state into the API query, resolving a relative range', () => {
    const now = Date.parse('2026-12-04T12:00:00.000Z');
    const query = toListQuery(
      { filters: { range: '1h', q: 'minerd' }, cursor: 'c9', trail: [''] },
      50,
      now,
    );
    expect(query).toEqual({
      q: 'minerd',
      from: '2026-12-04T11:00:00.000Z',
      cursor: 'c9',
      limit: 50,
    });
  });
});

describe('live threats and the filters shown', () => {
  const t = threat({ namespace: 'prod', status: 'unresolved', commandLine: './minerd --pool x' });

  it('matches a threat that satisfies every filter', () => {
    expect(matchesFilters(t, { namespace: 'prod', status: 'unresolved', q: 'MINERD' })).toBe(true);
  });

  it('rejects a threat outside any one filter', () => {
    expect(matchesFilters(t, { namespace: 'dev' })).toBe(false);
    expect(matchesFilters(t, { status: 'resolved' })).toBe(false);
    expect(matchesFilters(t, { driftClass: 'fileless' })).toBe(false);
    expect(matchesFilters(t, { q: 'cryptominer' })).toBe(false);
    expect(matchesFilters(t, { to: '2020-01-01T00:00:00.000Z' })).toBe(false);
  });
});
