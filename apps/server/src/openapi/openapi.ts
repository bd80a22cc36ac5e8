import { OpenApiGeneratorV3, OpenAPIRegistry, RouteConfig } from '@asteasolutions/zod-to-openapi';
import { z, ZodObject, ZodType } from 'zod';
import type { RouteInfo } from './routes';

export type OpenApiDocument = ReturnType<OpenApiGeneratorV3['generateDocument']>;

const ApiError = z.object({
  statusCode: z.number().int(),
  error: z.string(),
  message: z.string(),
});

function pathParams(path: string): ZodObject | undefined {
  const names = [...path.matchAll(/:([A-Za-z]+)/g)].map((m) => m[1]);
  if (names.length === 0) return undefined;
  return z.object(Object.fromEntries(names.map((n) => [n, z.string()])));
}

function errorResponses(route: RouteInfo): RouteConfig['responses'] {
  const json = { content: { 'application/json': { schema: ApiError } } };
  const out: RouteConfig['responses'] = {
    400: { description: 'Invalid request: every issue listed', ...json },
  };
  if (!route.isPublic) {
    out[401] = { description: 'Not signed in, or no valid API token', ...json };
    out[403] = { description: `Role lacks \`${route.permission}\``, ...json };
  }
  return out;
}

/** The OpenAPI 3 document, built from the same zod schemas that validate each route. */
export function buildOpenApi(routes: RouteInfo[], version: string): OpenApiDocument {
  const registry = new OpenAPIRegistry();
  registry.registerComponent('securitySchemes', 'session', {
    type: 'apiKey',
    in: 'cookie',
    name: 'driftlock_session',
  });
  registry.registerComponent('securitySchemes', 'apiToken', { type: 'http', scheme: 'bearer' });
  for (const route of [...routes].sort((a, b) => a.path.localeCompare(b.path))) {
    const response = route.response;
    const status = response?.status ?? 200;
    const tag = route.path.split('/')[3] ?? 'api';
    registry.registerPath({
      method: route.method as RouteConfig['method'],
      path: route.path.replace(/:([A-Za-z]+)/g, '{$1}'),
      summary: route.summary ?? undefined,
      description: route.isPublic ? 'Public.' : `Requires permission \`${route.permission}\`.`,
      tags: [tag],
      security: route.isPublic ? [] : [{ session: [] }, { apiToken: [] }],
      request: {
        params: pathParams(route.path),
        query: route.query instanceof ZodObject ? route.query : undefined,
        body: route.body
          ? { content: { 'application/json': { schema: route.body as ZodType } } }
          : undefined,
      },
      responses: {
        [status]: response?.schema
          ? {
              description: 'Success',
              content: { 'application/json': { schema: response.schema } },
            }
          : { description: 'Success, no body' },
        ...errorResponses(route),
      },
    });
  }
  return new OpenApiGeneratorV3(registry.definitions).generateDocument({
    openapi: '3.0.3',
    info: {
      title: 'driftlock API',
      version,
      description:
        'REST API of the driftlock server. Authenticate with the console session cookie or ' +
        '`Authorization: Bearer dlk_...` (an API token created by an admin).',
    },
  });
}
