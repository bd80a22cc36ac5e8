import * as fs from 'fs';
import {
  effectiveSettings,
  EnforcementMode,
  enforcementMode,
  PolicyDocument,
  PolicyException,
} from '@driftlock/protocol';

/**
 * The Application Control policy this agent enforces. The last one received is kept on disk,
 * so a restarted agent protects at once, before the server is reachable again.
 */
export class PolicyState {
  private policy: PolicyDocument | null = null;

  constructor(
    private readonly file: string,
    private readonly cluster: string | null,
  ) {}

  /** Loads the policy saved by a previous run; a missing or unreadable file means none yet. */
  load(): PolicyDocument | null {
    try {
      this.policy = PolicyDocument.parse(JSON.parse(fs.readFileSync(this.file, 'utf8')));
    } catch {
      this.policy = null;
    }
    return this.policy;
  }

  get version(): number | null {
    return this.policy?.version ?? null;
  }

  get exceptions(): PolicyException[] {
    return this.policy?.exceptions ?? [];
  }

  /** Takes a new policy; false when it is not newer than the one in force. */
  update(policy: PolicyDocument): boolean {
    if (this.policy && policy.version < this.policy.version) return false;
    this.policy = policy;
    const temporary = `${this.file}.tmp`;
    fs.writeFileSync(temporary, JSON.stringify(policy), { mode: 0o600 });
    fs.renameSync(temporary, this.file);
    return true;
  }

  /** What the sensor enforces for a container in `namespace` (null: not a Kubernetes pod). */
  modeFor(namespace: string | null): EnforcementMode {
    if (!this.policy) return 'off';
    return enforcementMode(effectiveSettings(this.policy, { cluster: this.cluster, namespace }));
  }

  /** The exception that allows this file, by its path in the container or its content. */
  exceptionFor(containerPath: string, sha256: string | null): PolicyException | null {
    return (
      this.exceptions.find(
        (e) =>
          (e.path !== null && e.path === containerPath) ||
          (e.sha256 !== null && e.sha256 === sha256),
      ) ?? null
    );
  }

  get hasContentExceptions(): boolean {
    return this.exceptions.some((e) => e.sha256 !== null);
  }
}
