import type { DynamicModule, Type } from '@nestjs/common';
import { METHOD_METADATA, MODULE_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { RequestMethod } from '@nestjs/common';
import type { ZodType } from 'zod';
import { PERMISSION, PUBLIC } from '../auth/auth.decorators';
import type { Permission } from '@driftlock/protocol';
import {
  BODY_SCHEMA,
  QUERY_SCHEMA,
  RESPONSE_SCHEMA,
  ResponseSpec,
  SUMMARY,
} from '../common/validation';

export const API_GLOBAL_PREFIX = 'api/v1';

export interface RouteInfo {
  method: string;
  /** Full path with Nest-style params, e.g. `/api/v1/threats/:id`. */
  path: string;
  controller: string;
  handler: string;
  permission: Permission | null;
  isPublic: boolean;
  summary: string | null;
  body: ZodType | null;
  query: ZodType | null;
  response: ResponseSpec | null;
}

type ModuleRef = Type<unknown> | DynamicModule | Promise<DynamicModule>;

/** Every controller reachable from a module, without instantiating anything (no database). */
export function collectControllers(root: ModuleRef, seen = new Set<unknown>()): Type<unknown>[] {
  if (root instanceof Promise || seen.has(root)) return [];
  seen.add(root);
  const cls = 'module' in root ? root.module : root;
  const dynamic = 'module' in root ? root : null;
  const controllers: Type<unknown>[] = [
    ...((Reflect.getMetadata(MODULE_METADATA.CONTROLLERS, cls) as Type<unknown>[]) ?? []),
    ...(dynamic?.controllers ?? []),
  ];
  const imports: ModuleRef[] = [
    ...((Reflect.getMetadata(MODULE_METADATA.IMPORTS, cls) as ModuleRef[]) ?? []),
    ...((dynamic?.imports as ModuleRef[]) ?? []),
  ];
  for (const imported of imports) {
    if (imported) controllers.push(...collectControllers(imported, seen));
  }
  return [...new Set(controllers)];
}

function joinPath(...parts: string[]): string {
  const joined = parts
    .flatMap((p) => p.split('/'))
    .filter(Boolean)
    .join('/');
  return `/${joined}`;
}

export function collectRoutes(root: ModuleRef): RouteInfo[] {
  const routes: RouteInfo[] = [];
  for (const controller of collectControllers(root)) {
    const base = (Reflect.getMetadata(PATH_METADATA, controller) as string | undefined) ?? '';
    const proto = controller.prototype as Record<string, unknown>;
    for (const name of Object.getOwnPropertyNames(proto)) {
      const handler = proto[name];
      if (name === 'constructor' || typeof handler !== 'function') continue;
      const methodPath = Reflect.getMetadata(PATH_METADATA, handler) as string | undefined;
      const method = Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod | undefined;
      if (methodPath === undefined || method === undefined) continue;
      const meta = <T>(key: string): T | undefined =>
        (Reflect.getMetadata(key, handler) as T | undefined) ??
        (Reflect.getMetadata(key, controller) as T | undefined);
      routes.push({
        method: RequestMethod[method].toLowerCase(),
        path: joinPath(API_GLOBAL_PREFIX, base, methodPath),
        controller: controller.name,
        handler: name,
        permission: meta<Permission>(PERMISSION) ?? null,
        isPublic: meta<boolean>(PUBLIC) === true,
        summary: meta<string>(SUMMARY) ?? null,
        body: meta<ZodType>(BODY_SCHEMA) ?? null,
        query: meta<ZodType>(QUERY_SCHEMA) ?? null,
        response: meta<ResponseSpec>(RESPONSE_SCHEMA) ?? null,
      });
    }
  }
  return routes;
}
