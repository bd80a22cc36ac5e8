import { Controller, Get, Param, ParseUUIDPipe, Patch, Post } from '@nestjs/common';
import { CreateUserRequest, UpdateUserRequest, User } from '@driftlock/protocol';
import { z } from 'zod';
import type { Actor } from '../auth/actor';
import { CurrentActor, RequirePermission } from '../auth/auth.decorators';
import { ApiSummary, Returns, ValidBody } from '../common/validation';
import { UsersService } from './users.service';

@Controller('users')
export class UsersController {
  constructor(private readonly users: UsersService) {}

  @Get()
  @RequirePermission('users:read')
  @ApiSummary('List console users')
  @Returns(z.array(User))
  list(): Promise<User[]> {
    return this.users.list();
  }

  @Post()
  @RequirePermission('users:write')
  @ApiSummary('Create a console user')
  @Returns(User, 201)
  create(
    @ValidBody(CreateUserRequest) body: CreateUserRequest,
    @CurrentActor() actor: Actor,
  ): Promise<User> {
    return this.users.create(body, actor);
  }

  @Patch(':id')
  @RequirePermission('users:write')
  @ApiSummary("Change a user's name, role, password, or disable it")
  @Returns(User)
  update(
    @Param('id', ParseUUIDPipe) id: string,
    @ValidBody(UpdateUserRequest) body: UpdateUserRequest,
    @CurrentActor() actor: Actor,
  ): Promise<User> {
    return this.users.update(id, body, actor);
  }
}
