import { ApiTokenEntity } from '../api-tokens/api-token.entity';
import { AuditEntity } from '../audit/audit.entity';
import { UserEntity } from '../users/user.entity';
import { SessionEntity } from './session.entity';

/** Entities of the foundation (people, sessions, tokens, audit), registered with TypeORM. */
export const AuthEntities = [UserEntity, SessionEntity, ApiTokenEntity, AuditEntity];
