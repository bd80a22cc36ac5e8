import { randomUUID } from 'node:crypto';
import type { Role } from '@driftlock/protocol';
import { AppModule } from '../src/app.module';
import { roleAllows } from '@driftlock/protocol';
import { collectRoutes, RouteInfo } from '../src/openapi/routes';
import { createTestApp, TestApp } from './harness';

const routes = collectRoutes(AppModule.routesOnly());
const guarded = routes.filter((r) => !r.isPublic);
const describeRoute = (r: RouteInfo) => `${r.method.toUpperCase()} ${r.path}`;
const concretePath = (r: RouteInfo) => r.path.replace(/:[A-Za-z]+/g, randomUUID());

describe('every REST route declares who may call it', () => {
  it('finds the routes of every module (the walk itself works)', () => {
    expect(routes.length).toBeGreaterThan(10);
    expect(routes.map(describeRoute)).toContain('POST /api/v1/auth/login');
  });

  it('gives each route a permission or marks it public', () => {
    const bare = routes.filter((r) => !r.isPublic && !r.permission).map(describeRoute);
    expect(bare).toEqual([]);
  });

  it('keeps public routes to the ones meant to be public', () => {
    const open = routes
      .filter((r) => r.isPublic)
      .map(describeRoute)
      .sort();
    expect(open).toEqual(
      [
        'GET /api/v1/health',
        'GET /api/v1/metrics',
        'POST /api/v1/agents/enroll',
        'POST /api/v1/auth/login',
        'POST /api/v1/auth/logout',
      ].filter((r) => routes.some((x) => describeRoute(x) === r)),
    );
  });
});

describe('the running server enforces those declarations', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(() => t.close());

  it('answers 401 on every guarded route without credentials', async () => {
    const wrong: string[] = [];
    for (const r of guarded) {
      const res = await fetch(`${t.url}${concretePath(r)}`, {
        method: r.method.toUpperCase(),
        headers: { 'content-type': 'application/json' },
        body: r.method === 'get' ? undefined : '{}',
      });
      if (res.status !== 401) wrong.push(`${describeRoute(r)} -> ${res.status}`);
    }
    expect(wrong).toEqual([]);
  });

  it.each(['viewer', 'analyst'] as Role[])(
    'answers 403 to a %s on every route its role lacks',
    async (role) => {
      const cookie = await t.login(role);
      const wrong: string[] = [];
      for (const r of guarded.filter((x) => !roleAllows(role, x.permission!))) {
        const res = await fetch(`${t.url}${concretePath(r)}`, {
          method: r.method.toUpperCase(),
          headers: { 'content-type': 'application/json', cookie },
          body: r.method === 'get' ? undefined : '{}',
        });
        if (res.status !== 403) wrong.push(`${describeRoute(r)} -> ${res.status}`);
      }
      expect(wrong).toEqual([]);
    },
  );
});
