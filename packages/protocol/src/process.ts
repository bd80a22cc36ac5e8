import { z } from 'zod';
import { clientId, isoTime, StorylineOrigin } from './common';

const MAX_ARGS = 256;

/**
 * One process as the agent knows it. `processId` is the agent's id for one process
 * incarnation (pids are reused), `parentProcessId` links the tree.
 */
export const ProcessNode = z.object({
  processId: clientId,
  parentProcessId: clientId.nullable(),
  storylineId: clientId,
  pid: z.number().int().nonnegative(),
  ppid: z.number().int().nonnegative(),
  exe: z.string().max(4096),
  args: z.array(z.string().max(4096)).max(MAX_ARGS),
  argsTruncated: z.boolean().default(false),
  cwd: z.string().max(4096).nullable(),
  uid: z.number().int().nonnegative(),
  user: z.string().max(64).nullable(),
  startedAt: isoTime,
  exitedAt: isoTime.nullable(),
  exitCode: z.number().int().nullable(),
  signal: z.number().int().nullable(),
  /** Sensor flags of the exec: upper_layer, memfd, non_image_fs, interpreter, killed_in_kernel. */
  flags: z.array(z.string().max(32)).max(16),
  containerId: z.string().max(128).nullable(),
  /** Set on a storyline root: how the container runtime started it. */
  origin: StorylineOrigin.nullable(),
});
export type ProcessNode = z.infer<typeof ProcessNode>;

/** A process event as it crosses the wire: the exec (full node) or the exit of a known process. */
export const ProcessEvent = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('exec'), eventId: clientId, process: ProcessNode }),
  z.object({
    kind: z.literal('exit'),
    eventId: clientId,
    processId: clientId,
    storylineId: clientId,
    exitedAt: isoTime,
    exitCode: z.number().int().nullable(),
    signal: z.number().int().nullable(),
  }),
]);
export type ProcessEvent = z.infer<typeof ProcessEvent>;

/** A storyline: the tree of processes that share a root. */
export const Storyline = z.object({
  storylineId: clientId,
  origin: StorylineOrigin,
  processes: z.array(ProcessNode).max(5000),
});
export type Storyline = z.infer<typeof Storyline>;
