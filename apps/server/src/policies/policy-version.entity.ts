import type { PolicyDocument } from '@driftlock/protocol';
import { Column, CreateDateColumn, Entity, PrimaryColumn } from 'typeorm';

/** Every version of the policy, whole: the newest row is the policy in force. */
@Entity('policy_versions')
export class PolicyVersionEntity {
  @PrimaryColumn({ type: 'integer' })
  version!: number;

  @Column({ type: 'jsonb' })
  document!: PolicyDocument;

  @Column({ type: 'text' })
  summary!: string;

  @CreateDateColumn({ type: 'timestamptz' })
  createdAt!: Date;

  @Column({ type: 'text', nullable: true })
  createdBy!: string | null;
}
