import type { QueryClient } from '@tanstack/react-query';
import { matchPath } from 'react-router';
import { meQuery } from '../auth/session';
import { readThreatSearch } from '../features/threats/filters';
import { threatQueries } from '../features/threats/queries';
import { pageModules } from './pages';

/**
 * Starts, before React renders, what the page at this URL will ask for: the session, the page's
 * code and its data. Each would otherwise wait for the one before it; the queries are the pages'
 * own, so the pages find them in flight or done. Signed out, the data calls answer 401 and the
 * sign-in page shows as usual.
 */
export function preloadForLocation(
  client: QueryClient,
  location: Pick<Location, 'pathname' | 'search'>,
): void {
  void client.prefetchQuery(meQuery);
  const storyline = matchPath('/threats/:id/storyline', location.pathname);
  if (storyline?.params.id) {
    void pageModules.StorylinePage();
    void client.prefetchQuery(threatQueries.storyline(storyline.params.id));
    void client.prefetchQuery(threatQueries.detail(storyline.params.id));
    return;
  }
  const detail = matchPath('/threats/:id', location.pathname);
  if (detail?.params.id) {
    void pageModules.ThreatDetailPage();
    void client.prefetchQuery(threatQueries.detail(detail.params.id));
    return;
  }
  if (matchPath('/threats', location.pathname)) {
    void client.prefetchQuery(
      threatQueries.list(readThreatSearch(new URLSearchParams(location.search))),
    );
    return;
  }
  if (location.pathname === '/') void pageModules.DashboardPage();
}
