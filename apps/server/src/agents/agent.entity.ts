import type { AgentCapabilities, AgentKind, AgentStats } from '@driftlock/protocol';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

@Entity('agents')
export class AgentEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'text' })
  secretHash!: string;

  @Column({ type: 'uuid', nullable: true })
  enrollmentTokenId!: string | null;

  @Column({ type: 'text' })
  hostname!: string;

  @Column({ type: 'text' })
  kind!: AgentKind;

  @Column({ type: 'text', nullable: true })
  cluster!: string | null;

  @Column({ type: 'text', nullable: true })
  node!: string | null;

  @Column({ type: 'text' })
  version!: string;

  @Column({ type: 'text' })
  kernel!: string;

  @Column({ type: 'jsonb', nullable: true })
  capabilities!: AgentCapabilities | null;

  @Column({ type: 'jsonb', nullable: true })
  stats!: AgentStats | null;

  @Column({ type: 'integer', nullable: true })
  policyVersion!: number | null;

  @Column({ type: 'timestamptz' })
  enrolledAt!: Date;

  @Column({ type: 'timestamptz', nullable: true })
  lastSeenAt!: Date | null;

  /** Set when its socket closes cleanly, so the console shows it offline without waiting. */
  @Column({ type: 'timestamptz', nullable: true })
  disconnectedAt!: Date | null;

  @Column({ type: 'timestamptz', nullable: true })
  decommissionedAt!: Date | null;
}
