import { createParamDecorator, ExecutionContext, SetMetadata } from '@nestjs/common';
import type { Request } from 'express';
import type { Actor } from './actor';
import type { Permission } from '@driftlock/protocol';

export const PERMISSION = 'driftlock:permission';
export const PUBLIC = 'driftlock:public';

/** The permission a route needs; the auth guard refuses every route that declares none. */
export const RequirePermission = (permission: Permission) => SetMetadata(PERMISSION, permission);

/** A route anyone may call (login, enrollment with a token in the body, health). */
export const Public = () => SetMetadata(PUBLIC, true);

export type AuthenticatedRequest = Request & { actor?: Actor };

export const CurrentActor = createParamDecorator((_: unknown, ctx: ExecutionContext): Actor => {
  const actor = ctx.switchToHttp().getRequest<AuthenticatedRequest>().actor;
  if (!actor) throw new Error('CurrentActor used on a route without authentication');
  return actor;
});
