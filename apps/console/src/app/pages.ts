import { lazy } from 'react';

/**
 * Pages load on first visit (the threats list, where analysts land most, is in the main bundle);
 * `preload.ts` starts the current page's download at start-up, beside the session check.
 */
export const pageModules = {
  AgentsPage: () => import('../features/agents/AgentsPage'),
  AuditPage: () => import('../features/audit/AuditPage'),
  DashboardPage: () => import('../features/dashboard/DashboardPage'),
  PolicyPage: () => import('../features/policy/PolicyPage'),
  QuarantinePage: () => import('../features/quarantine/QuarantinePage'),
  StorylinePage: () => import('../features/storyline/StorylinePage'),
  ThreatDetailPage: () => import('../features/threats/ThreatDetailPage'),
  ApiTokensPage: () => import('../features/tokens/ApiTokensPage'),
  UsersPage: () => import('../features/users/UsersPage'),
  WebhooksPage: () => import('../features/webhooks/WebhooksPage'),
};

export const AgentsPage = lazy(() =>
  pageModules.AgentsPage().then((m) => ({ default: m.AgentsPage })),
);
export const AuditPage = lazy(() =>
  pageModules.AuditPage().then((m) => ({ default: m.AuditPage })),
);
export const DashboardPage = lazy(() =>
  pageModules.DashboardPage().then((m) => ({ default: m.DashboardPage })),
);
export const PolicyPage = lazy(() =>
  pageModules.PolicyPage().then((m) => ({ default: m.PolicyPage })),
);
export const QuarantinePage = lazy(() =>
  pageModules.QuarantinePage().then((m) => ({ default: m.QuarantinePage })),
);
export const StorylinePage = lazy(() =>
  pageModules.StorylinePage().then((m) => ({ default: m.StorylinePage })),
);
export const ThreatDetailPage = lazy(() =>
  pageModules.ThreatDetailPage().then((m) => ({ default: m.ThreatDetailPage })),
);
export const ApiTokensPage = lazy(() =>
  pageModules.ApiTokensPage().then((m) => ({ default: m.ApiTokensPage })),
);
export const UsersPage = lazy(() =>
  pageModules.UsersPage().then((m) => ({ default: m.UsersPage })),
);
export const WebhooksPage = lazy(() =>
  pageModules.WebhooksPage().then((m) => ({ default: m.WebhooksPage })),
);
