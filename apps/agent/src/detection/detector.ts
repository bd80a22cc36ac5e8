import * as path from 'path';
import type { DriftClass } from '@driftlock/protocol';
import type { RootLayers } from '../containers/mountinfo';
import {
  findInLayer,
  hostPathIn,
  inImage,
  isRegularFile,
  isScript,
  layerOf,
  resolveInRoot,
} from './container-fs';
import { appletArgs, interpreterOf, scriptArgument } from './interpreter';

/**
 * The sensor's drift flags for one exec. Its `interpreter` flag is not used: it marks the
 * binary (busybox is a shell), while what matters is the program the command line asks for
 * (`ls` through busybox is no interpreter), which is read from argv here.
 */
export interface ExecFlags {
  upperLayer: boolean;
  memfd: boolean;
  nonImageFs: boolean;
}

export interface ExecFacts {
  pid: number;
  /** The path execve was given (the script itself for a `#!` script), maybe relative. */
  filename: string;
  exe: string;
  args: string[];
  /** Working directory inside the container, for relative paths; null once the process and its parent are gone. */
  cwd: string | null;
  /** Inode number of the exec'd file, to find it when only its relative name is known. */
  ino: string | null;
  flags: ExecFlags;
  /** The image this process ran before the exec (runc re-executing itself, a shell). */
  previousExe: string | null;
  layers: RootLayers | null;
}

/** Drift found in one exec: which class, and which file is to blame. */
export interface DriftFinding {
  driftClass: DriftClass;
  /** The drifting file as the container sees it. */
  containerPath: string;
  /**
   * Where the agent can read the file from the host, if it still can: through the process's
   * root, or the container's upper layer once the process is gone.
   */
  hostPaths: string[];
}

function absolute(file: string, cwd: string | null): string {
  return path.posix.isAbsolute(file)
    ? path.posix.normalize(file)
    : path.posix.join(cwd ?? '/', file);
}

/** runc's own `runc init`, run from a memfd copy of itself while it sets a container up. */
export function isRuntimeInit(args: string[]): boolean {
  const argv0 = path.basename(args[0] ?? '');
  return (argv0 === 'runc' || argv0.startsWith('runc:')) && args[1] === 'init';
}

/**
 * runc 1.1 copies itself into a memfd and re-executes that copy (`runc init`) on every
 * container start and exec: fileless by the kernel's measure, and the runtime's own doing.
 */
export function isRuntimeReexec(facts: ExecFacts): boolean {
  const previous = facts.previousExe === null ? '' : path.basename(facts.previousExe);
  return (
    facts.flags.memfd &&
    (previous === 'runc' || previous.startsWith('runc')) &&
    isRuntimeInit(facts.args)
  );
}

/**
 * The exec'd file's path in the container. `./minerd` needs the working directory; a process
 * killed in the kernel may be gone with its parent before its cwd could be read, and then the
 * upper layer is searched for the file by name and inode.
 */
function locate(facts: ExecFacts): string {
  if (path.posix.isAbsolute(facts.filename) || facts.cwd !== null || facts.layers === null) {
    return absolute(facts.filename, facts.cwd);
  }
  return (
    findInLayer(facts.layers.upperdir, facts.filename, facts.ino) ?? absolute(facts.filename, '/')
  );
}

function candidates(facts: ExecFacts, procRoot: string, containerPath: string): string[] {
  const through = [hostPathIn(path.join(procRoot, String(facts.pid), 'root'), containerPath)];
  if (facts.layers) through.push(hostPathIn(facts.layers.upperdir, containerPath));
  return through;
}

/** Kernel-flagged drift: the exec'd file itself is not from the image. */
function fromKernelFlags(facts: ExecFacts, procRoot: string): DriftFinding | null {
  if (facts.flags.memfd) {
    if (isRuntimeReexec(facts)) return null;
    return { driftClass: 'fileless', containerPath: facts.exe || facts.filename, hostPaths: [] };
  }
  const containerPath = locate(facts);
  const hostPaths = candidates(facts, procRoot, containerPath);
  if (facts.flags.upperLayer) {
    // The process may be gone (killed in the kernel), so the upper layer copy decides.
    const script = hostPaths.some((p) => isScript(p));
    const modified = facts.layers !== null && inImage(facts.layers, containerPath);
    const driftClass: DriftClass = script
      ? 'new_script'
      : modified
        ? 'modified_binary'
        : 'new_binary';
    return { driftClass, containerPath, hostPaths };
  }
  if (facts.flags.nonImageFs) return { driftClass: 'non_image_fs', containerPath, hostPaths };
  return null;
}

/**
 * An image interpreter running a file that is not from the image: `sh /tmp/x.sh`,
 * `python3 x.py`, `ld-linux-x86-64.so.2 /tmp/minerd`: the argument is resolved inside the
 * container's root and its layer checked.
 */
function fromInterpreterArgument(facts: ExecFacts, procRoot: string): DriftFinding | null {
  if (facts.layers === null) return null;
  const args = appletArgs(facts.args);
  const kind = interpreterOf(args === facts.args ? facts.exe : '', args);
  if (kind === null) return null;
  const argument = scriptArgument(kind, args);
  if (argument === null) return null;
  const root = path.join(procRoot, String(facts.pid), 'root');
  const resolved = resolveInRoot(root, absolute(argument, facts.cwd));
  if (resolved === null || !isRegularFile(hostPathIn(root, resolved))) return null;
  const layer = layerOf(facts.layers, resolved);
  if (layer === 'lower') return null;
  const hostPaths = candidates(facts, procRoot, resolved);
  if (layer === 'elsewhere')
    return { driftClass: 'non_image_fs', containerPath: resolved, hostPaths };
  const driftClass: DriftClass =
    kind === 'loader'
      ? inImage(facts.layers, resolved)
        ? 'modified_binary'
        : 'new_binary'
      : 'script_via_interpreter';
  return { driftClass, containerPath: resolved, hostPaths };
}

/** The verdict for one exec inside a watched container; null when it is not drift. */
export function judgeExec(facts: ExecFacts, procRoot: string): DriftFinding | null {
  return fromKernelFlags(facts, procRoot) ?? fromInterpreterArgument(facts, procRoot);
}
