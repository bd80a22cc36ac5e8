import type { QuarantineCommand, QuarantineStatus } from '@driftlock/protocol';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/** A file an agent moved to its host's quarantine. */
@Entity('quarantine_items')
export class QuarantineItemEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  agentId!: string;

  @Column({ type: 'uuid', nullable: true })
  threatId!: string | null;

  /** The agent's id for the item, which its commands name. */
  @Column({ type: 'text' })
  quarantineId!: string;

  @Column({ type: 'text' })
  path!: string;

  @Column({ type: 'text', nullable: true })
  sha256!: string | null;

  @Column({ type: 'bigint', nullable: true })
  size!: string | null;

  @Column({ type: 'text' })
  status!: QuarantineStatus;

  @Column({ type: 'text', nullable: true })
  lastDetail!: string | null;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;
}

/** A command for one agent; kept until the agent reports its result, resent on reconnect. */
@Entity('agent_commands')
export class AgentCommandEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  agentId!: string;

  @Column({ type: 'text' })
  command!: QuarantineCommand;

  @Column({ type: 'uuid' })
  quarantineItemId!: string;

  @Column({ type: 'text' })
  status!: 'pending' | 'succeeded' | 'failed';

  @Column({ type: 'text', nullable: true })
  detail!: string | null;

  @Column({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'text', nullable: true })
  createdBy!: string | null;

  @Column({ type: 'timestamptz', nullable: true })
  completedAt!: Date | null;
}
