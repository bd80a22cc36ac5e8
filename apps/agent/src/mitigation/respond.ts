import type { FileInfo, Mitigation, PolicyMode } from '@driftlock/protocol';
import { killProcess } from './kill';
import { hashFile, QuarantineStore } from './quarantine';

export interface ResponseInput {
  threatId: string;
  mode: PolicyMode;
  /** The sensor sent SIGKILL from the exec tracepoint already. */
  killedInKernel: boolean;
  pid: number;
  /** The command line that was judged, to be sure the pid still runs it before a user-space kill. */
  args: string[];
  containerId: string | null;
  containerPath: string;
  /** Host paths that reach the file, best first; empty for fileless drift. */
  sources: string[];
}

export interface Response {
  mitigations: Mitigation[];
  file: FileInfo;
}

const SIGKILL_EXIT_CODE = 137;

function mitigation(
  fields: Partial<Mitigation> & Pick<Mitigation, 'action' | 'outcome' | 'detail'>,
): Mitigation {
  return {
    at: new Date().toISOString(),
    exitCode: null,
    killedInKernel: false,
    quarantineId: null,
    sha256: null,
    size: null,
    ...fields,
  };
}

async function kill(input: ResponseInput, procRoot: string): Promise<Mitigation> {
  if (input.killedInKernel) {
    return mitigation({
      action: 'kill',
      outcome: 'succeeded',
      detail: 'killed in kernel before its first instruction',
      exitCode: SIGKILL_EXIT_CODE,
      killedInKernel: true,
    });
  }
  const result = await killProcess(procRoot, input.pid, input.args);
  return mitigation({ action: 'kill', ...result });
}

async function quarantine(input: ResponseInput, store: QuarantineStore): Promise<Mitigation> {
  if (input.sources.length === 0) {
    return mitigation({
      action: 'quarantine',
      outcome: 'skipped',
      detail: 'fileless: nothing on disk to quarantine',
    });
  }
  try {
    const record = await store.quarantine({
      threatId: input.threatId,
      containerId: input.containerId,
      path: input.containerPath,
      sources: input.sources,
    });
    return mitigation({
      action: 'quarantine',
      outcome: 'succeeded',
      detail: `moved to quarantine from ${record.sourcePath}`,
      quarantineId: record.quarantineId,
      sha256: record.sha256,
      size: record.size,
    });
  } catch (error) {
    return mitigation({
      action: 'quarantine',
      outcome: 'failed',
      detail: (error as Error).message,
    });
  }
}

/** In detect mode the file stays where it is; the report still says what it is. */
async function describe(input: ResponseInput): Promise<FileInfo> {
  for (const source of input.sources) {
    try {
      const { sha256, size } = await hashFile(source);
      return { path: input.containerPath, sha256, size };
    } catch {
      // try the next way to the file
    }
  }
  return { path: input.containerPath, sha256: null, size: null };
}

/**
 * What protect mode does about drift: kill first (nothing may delay it), then quarantine the
 * file. Detect mode reports only.
 */
export async function respond(
  input: ResponseInput,
  procRoot: string,
  store: QuarantineStore,
): Promise<Response> {
  if (input.mode === 'detect') {
    return {
      mitigations: [
        mitigation({ action: 'none', outcome: 'skipped', detail: 'detect mode: reported only' }),
      ],
      file: await describe(input),
    };
  }
  const killed = await kill(input, procRoot);
  const quarantined = await quarantine(input, store);
  const file: FileInfo =
    quarantined.outcome === 'succeeded'
      ? { path: input.containerPath, sha256: quarantined.sha256, size: quarantined.size }
      : await describe(input);
  return { mitigations: [killed, quarantined], file };
}
