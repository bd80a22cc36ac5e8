import { readFileSync } from 'node:fs';
import path from 'node:path';
import { AppModule } from '../app.module';
import { SERVER_VERSION } from '../version';
import { buildOpenApi } from './openapi';
import { collectRoutes } from './routes';

const doc = buildOpenApi(collectRoutes(AppModule.routesOnly()), SERVER_VERSION);

describe('OpenAPI document', () => {
  it('documents every route with the zod schema that validates it', () => {
    const login = doc.paths['/api/v1/auth/login']?.post;
    expect(login?.requestBody).toBeDefined();
    expect(JSON.stringify(login?.requestBody)).toContain('"password"');
    expect(Object.keys(login?.responses ?? {})).toEqual(expect.arrayContaining(['200', '400']));
  });

  it('matches the exported apps/server/openapi.json (run `pnpm --filter @driftlock/server openapi` after changing a route)', () => {
    const file = path.join(__dirname, '..', '..', 'openapi.json');
    const exported = JSON.parse(readFileSync(file, 'utf8'));
    expect(exported).toEqual(JSON.parse(JSON.stringify(doc)));
  });
});
