import type {
  ContainerInfo,
  DriftClass,
  Engine,
  KubernetesInfo,
  Mitigation,
  MitigationSummary,
  PolicyMode,
  Storyline,
  ThreatStatus,
  Verdict,
} from '@driftlock/protocol';
import { Column, Entity, PrimaryGeneratedColumn } from 'typeorm';

/**
 * A threat with every forensics field the agent reported. Workload fields are also copied into
 * columns so lists can filter and sort on them without reading the JSON.
 */
@Entity('threats')
export class ThreatEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  agentId!: string;

  @Column({ type: 'text' })
  agentThreatId!: string;

  @Column({ type: 'timestamptz' })
  detectedAt!: Date;

  @Column({ type: 'timestamptz' })
  receivedAt!: Date;

  @Column({ type: 'text' })
  engine!: Engine;

  @Column({ type: 'text' })
  driftClass!: DriftClass;

  @Column({ type: 'text' })
  mode!: PolicyMode;

  @Column({ type: 'text' })
  commandLine!: string;

  @Column({ type: 'text' })
  processId!: string;

  @Column({ type: 'text' })
  storylineId!: string;

  @Column({ type: 'text' })
  filePath!: string;

  @Column({ type: 'bigint', nullable: true })
  fileSize!: string | null;

  @Column({ type: 'text', nullable: true })
  fileSha256!: string | null;

  @Column({ type: 'jsonb' })
  mitigations!: Mitigation[];

  @Column({ type: 'text' })
  mitigation!: MitigationSummary;

  @Column({ type: 'jsonb', nullable: true })
  container!: ContainerInfo | null;

  @Column({ type: 'jsonb', nullable: true })
  kubernetes!: KubernetesInfo | null;

  @Column({ type: 'text', nullable: true })
  containerId!: string | null;

  @Column({ type: 'text', nullable: true })
  containerName!: string | null;

  @Column({ type: 'text', nullable: true })
  image!: string | null;

  @Column({ type: 'text', nullable: true })
  podName!: string | null;

  @Column({ type: 'text', nullable: true })
  podUid!: string | null;

  @Column({ type: 'text', nullable: true })
  namespace!: string | null;

  @Column({ type: 'text', nullable: true })
  node!: string | null;

  @Column({ type: 'text', nullable: true })
  cluster!: string | null;

  /** The agent's snapshot of the storyline, so forensics never depend on expired telemetry. */
  @Column({ type: 'jsonb' })
  storyline!: Storyline;

  @Column({ type: 'text' })
  status!: ThreatStatus;

  @Column({ type: 'text', nullable: true })
  verdict!: Verdict | null;

  @Column({ type: 'timestamptz' })
  updatedAt!: Date;
}

@Entity('threat_notes')
export class ThreatNoteEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  threatId!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'text' })
  author!: string;

  @Column({ type: 'text' })
  text!: string;
}

@Entity('threat_changes')
export class ThreatChangeEntity {
  @PrimaryGeneratedColumn('uuid')
  id!: string;

  @Column({ type: 'uuid' })
  threatId!: string;

  @Column({ type: 'timestamptz' })
  at!: Date;

  @Column({ type: 'text' })
  author!: string;

  @Column({ type: 'text' })
  field!: 'status' | 'verdict';

  @Column({ type: 'text', nullable: true })
  fromValue!: string | null;

  @Column({ type: 'text', nullable: true })
  toValue!: string | null;
}
