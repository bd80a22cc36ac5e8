import {
  CanActivate,
  ExecutionContext,
  ForbiddenException,
  Injectable,
  InternalServerErrorException,
  UnauthorizedException,
} from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { AuthenticatedRequest, PERMISSION, PUBLIC } from './auth.decorators';
import { AuthService, SESSION_COOKIE } from './auth.service';
import { Permission, roleAllows } from '@driftlock/protocol';

/** Global guard: a route is public, or needs a permission; a route that says neither is refused. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly reflector: Reflector,
    private readonly auth: AuthService,
  ) {}

  async canActivate(ctx: ExecutionContext): Promise<boolean> {
    if (ctx.getType() !== 'http') return true;
    const targets = [ctx.getHandler(), ctx.getClass()];
    if (this.reflector.getAllAndOverride<boolean>(PUBLIC, targets)) return true;
    const permission = this.reflector.getAllAndOverride<Permission>(PERMISSION, targets);
    if (!permission) {
      throw new InternalServerErrorException('route declares no permission; refusing it');
    }
    const req = ctx.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = req.headers.authorization;
    const bearer = header?.startsWith('Bearer ') ? header.slice(7).trim() : undefined;
    const cookies = (req as { cookies?: Record<string, string> }).cookies;
    const actor = await this.auth.authenticate(cookies?.[SESSION_COOKIE], bearer);
    if (!actor) throw new UnauthorizedException('sign in or send a valid API token');
    if (!roleAllows(actor.role, permission)) {
      throw new ForbiddenException(`role ${actor.role} lacks permission ${permission}`);
    }
    req.actor = actor;
    return true;
  }
}
