import { ConflictException, Injectable, NotFoundException } from '@nestjs/common';
import type { CreateUserRequest, UpdateUserRequest, User } from '@driftlock/protocol';
import argon2 from 'argon2';
import { randomBytes } from 'node:crypto';
import { DataSource, QueryFailedError } from 'typeorm';
import type { Actor } from '../auth/actor';
import { AuditService } from '../audit/audit.service';
import { UserEntity } from './user.entity';

export function toUser(u: UserEntity): User {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    role: u.role,
    disabled: u.disabled,
    createdAt: u.createdAt.toISOString(),
    lastLoginAt: u.lastLoginAt ? u.lastLoginAt.toISOString() : null,
  };
}

export const hashPassword = (password: string) => argon2.hash(password, { type: argon2.argon2id });

@Injectable()
export class UsersService {
  constructor(
    private readonly db: DataSource,
    private readonly audit: AuditService,
  ) {}

  async list(): Promise<User[]> {
    const rows = await this.db.getRepository(UserEntity).find({ order: { createdAt: 'ASC' } });
    return rows.map(toUser);
  }

  async create(req: CreateUserRequest, actor: Actor | null): Promise<User> {
    const passwordHash = await hashPassword(req.password);
    return this.db.transaction(async (m) => {
      const user = await m
        .getRepository(UserEntity)
        .save({ email: req.email, name: req.name, role: req.role, passwordHash })
        .catch((e: unknown) => {
          if (e instanceof QueryFailedError && /users_email_key/.test(e.message)) {
            throw new ConflictException(`a user with email ${req.email} already exists`);
          }
          throw e;
        });
      await this.audit.record(
        {
          actor: actor ?? { kind: 'system' },
          action: 'user.created',
          targetType: 'user',
          targetId: user.id,
          detail: { email: req.email, role: req.role },
        },
        m,
      );
      return toUser(await m.getRepository(UserEntity).findOneByOrFail({ id: user.id }));
    });
  }

  async update(id: string, req: UpdateUserRequest, actor: Actor): Promise<User> {
    const passwordHash = req.password ? await hashPassword(req.password) : undefined;
    return this.db.transaction(async (m) => {
      const repo = m.getRepository(UserEntity);
      const user = await repo.findOneBy({ id });
      if (!user) throw new NotFoundException(`user ${id} not found`);
      if (id === actor.id && (req.disabled === true || (req.role && req.role !== 'admin'))) {
        throw new ConflictException('you cannot disable yourself or drop your own admin role');
      }
      await repo.update(id, {
        ...(req.name !== undefined && { name: req.name }),
        ...(req.role !== undefined && { role: req.role }),
        ...(req.disabled !== undefined && { disabled: req.disabled }),
        ...(passwordHash !== undefined && { passwordHash }),
      });
      const { password, ...changes } = req;
      await this.audit.record(
        {
          actor,
          action: 'user.updated',
          targetType: 'user',
          targetId: id,
          detail: { ...changes, passwordChanged: password !== undefined },
        },
        m,
      );
      return toUser(await repo.findOneByOrFail({ id }));
    });
  }

  /** The first start of an empty database creates the admin; returns the password if generated. */
  async ensureFirstAdmin(
    email: string,
    password: string | null,
  ): Promise<{ created: boolean; generatedPassword: string | null }> {
    if ((await this.db.getRepository(UserEntity).count()) > 0) {
      return { created: false, generatedPassword: null };
    }
    const chosen = password ?? randomBytes(15).toString('base64url');
    try {
      await this.create({ email, name: 'Administrator', role: 'admin', password: chosen }, null);
    } catch (e) {
      // Another replica starting on the same empty database created it first.
      if (e instanceof ConflictException) return { created: false, generatedPassword: null };
      throw e;
    }
    return { created: true, generatedPassword: password ? null : chosen };
  }
}
