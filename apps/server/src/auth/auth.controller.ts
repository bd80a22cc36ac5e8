import { Controller, Get, Post, Req, Res, UseGuards } from '@nestjs/common';
import { ThrottlerGuard } from '@nestjs/throttler';
import { LoginRequest, Me } from '@driftlock/protocol';
import type { Request, Response } from 'express';
import { AppConfig } from '../config/app-config';
import { ApiSummary, Returns, ValidBody } from '../common/validation';
import type { Actor } from './actor';
import { CurrentActor, Public, RequirePermission } from './auth.decorators';
import { AuthService, SESSION_COOKIE } from './auth.service';

@Controller('auth')
export class AuthController {
  constructor(
    private readonly auth: AuthService,
    private readonly config: AppConfig,
  ) {}

  @Post('login')
  @Public()
  @UseGuards(ThrottlerGuard)
  @ApiSummary('Sign in with email and password; sets an HttpOnly session cookie')
  @Returns(Me, 200)
  async login(
    @ValidBody(LoginRequest) body: LoginRequest,
    @Res({ passthrough: true }) res: Response,
  ): Promise<Me> {
    const { me, sessionToken } = await this.auth.login(body.email, body.password);
    res.cookie(SESSION_COOKIE, sessionToken, {
      httpOnly: true,
      sameSite: 'strict',
      secure: this.config.secureCookies,
      path: '/',
      maxAge: this.config.sessionTtlHours * 3600_000,
    });
    return me;
  }

  @Post('logout')
  @Public()
  @ApiSummary('Sign out: ends the session and clears the cookie')
  @Returns(null, 204)
  async logout(@Req() req: Request, @Res({ passthrough: true }) res: Response): Promise<void> {
    const cookies = (req as { cookies?: Record<string, string> }).cookies;
    await this.auth.logout(cookies?.[SESSION_COOKIE]);
    res.clearCookie(SESSION_COOKIE, { path: '/' });
  }

  @Get('me')
  @RequirePermission('threats:read')
  @ApiSummary('Who is signed in, and with which role')
  @Returns(Me)
  me(@CurrentActor() actor: Actor): Promise<Me> {
    return this.auth.me(actor);
  }
}
