// A Dockerfile reader and a dry-run builder, for checking images without a Docker engine: the
// stages' COPY, WORKDIR, ARG and ENV are applied to a folder per stage and their RUN commands run
// on this machine (the ones that install system packages are skipped; the caller checks those
// packages are present here).
import { execFileSync } from 'child_process';
import * as fs from 'fs';
import * as path from 'path';

export interface Instruction {
  keyword: string;
  /** The text after the keyword, continuation lines joined. */
  args: string;
  /** The comment lines right above the instruction. */
  comments: string[];
}

export interface Stage {
  name: string | null;
  base: string;
  instructions: Instruction[];
}

export function parseDockerfile(text: string): Stage[] {
  const stages: Stage[] = [];
  let comments: string[] = [];
  let pending = '';
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line.startsWith('#')) {
      if (pending === '') comments.push(line.slice(1).trim());
      continue; // comment lines inside a continuation are dropped, as Docker does
    }
    if (line === '') {
      if (pending === '') comments = [];
      continue;
    }
    if (line.endsWith('\\')) {
      pending += line.slice(0, -1) + ' ';
      continue;
    }
    const full = (pending + line).trim();
    pending = '';
    const [, keyword, args] = /^(\S+)\s*([\s\S]*)$/.exec(full)!;
    const instruction = { keyword: keyword.toUpperCase(), args: args.trim(), comments };
    comments = [];
    if (instruction.keyword === 'FROM') {
      const m = /^(?:--\S+\s+)*(\S+)(?:\s+AS\s+(\S+))?$/i.exec(instruction.args);
      if (!m) throw new Error(`bad FROM: ${instruction.args}`);
      stages.push({ base: m[1], name: m[2] ?? null, instructions: [] });
    } else if (stages.length > 0) {
      stages[stages.length - 1].instructions.push(instruction);
    }
  }
  return stages;
}

export interface CopyInstruction {
  from: string | null;
  sources: string[];
  dest: string;
}

export function parseCopy(args: string): CopyInstruction {
  const words = args.split(/\s+/);
  let from: string | null = null;
  while (words[0]?.startsWith('--')) {
    const flag = words.shift()!;
    if (flag.startsWith('--from=')) from = flag.slice('--from='.length);
  }
  if (words.length < 2) throw new Error(`COPY needs a source and a destination: ${args}`);
  return { from, sources: words.slice(0, -1), dest: words[words.length - 1] };
}

/** `KEY=value KEY2=value` (the only ENV/LABEL form the repository uses). */
export function parsePairs(args: string): Record<string, string> {
  const pairs: Record<string, string> = {};
  for (const m of args.matchAll(/(\S+?)=("[^"]*"|\S*)/g)) pairs[m[1]] = m[2].replace(/^"|"$/g, '');
  return pairs;
}

/** The exec form of CMD/ENTRYPOINT. */
export function parseExecForm(args: string): string[] {
  const parsed: unknown = JSON.parse(args);
  if (!Array.isArray(parsed)) throw new Error(`not an exec form: ${args}`);
  return parsed.map(String);
}

/** `apt-get install` package names in a RUN command. */
export function aptPackages(run: string): string[] {
  const packages: string[] = [];
  for (const m of run.matchAll(/apt-get install ([^&;]*)/g)) {
    packages.push(...m[1].split(/\s+/).filter((w) => w !== '' && !w.startsWith('-')));
  }
  return packages;
}

/** A matcher for .dockerignore patterns (the subset the repository uses: names, `*`, `**`). */
export function dockerignore(text: string): (relative: string) => boolean {
  const patterns = text
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l !== '' && !l.startsWith('#'))
    .map((p) => {
      const body = p
        .replace(/^\/+|\/+$/g, '')
        .split('/')
        .map((segment) =>
          segment === '**'
            ? '(?:.*)'
            : segment.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '[^/]*'),
        )
        .join('/')
        .replace(/\(\?:\.\*\)\//g, '(?:.*/)?');
      return new RegExp(`^${body}(?:/.*)?$`);
    });
  return (relative) => patterns.some((re) => re.test(relative));
}

/** The files `docker build` would send from the repository: git's view minus .dockerignore. */
export function buildContextFiles(repo: string): string[] {
  const ignored = dockerignore(fs.readFileSync(path.join(repo, '.dockerignore'), 'utf8'));
  return execFileSync('git', ['ls-files', '-co', '--exclude-standard', '-z'], { cwd: repo })
    .toString()
    .split('\0')
    .filter((f) => f !== '' && !ignored(f) && fs.existsSync(path.join(repo, f)));
}

/** PATH without the node_modules/.bin folders jest and npx add: a RUN sees only its own tools. */
function systemPath(): string {
  return (process.env.PATH ?? '')
    .split(':')
    .filter((dir) => !dir.includes('node_modules'))
    .join(':');
}

export interface StageResult {
  root: string;
  env: Record<string, string>;
  user: string | null;
  cmd: string[] | null;
  skippedRuns: string[];
}

export interface DryRunOptions {
  /** Where the stages' folders go. */
  workDir: string;
  /** The build context, already filtered (see buildContextFiles). */
  context: string;
  buildArgs?: Record<string, string>;
  /** RUN commands that are not run here (system package installs). */
  skipRun: (command: string) => boolean;
}

/**
 * Builds every stage into `<workDir>/stage-<n>`: absolute paths in COPY, WORKDIR and RUN are
 * taken inside the stage's folder. RUN output goes to `<workDir>/stage-<n>.log`.
 */
export function dryRunBuild(stages: Stage[], options: DryRunOptions): StageResult[] {
  const results: StageResult[] = [];
  const byName = new Map<string, StageResult>();
  stages.forEach((stage, index) => {
    const root = path.join(options.workDir, `stage-${index}`);
    fs.mkdirSync(root, { recursive: true });
    const result: StageResult = { root, env: {}, user: null, cmd: null, skippedRuns: [] };
    const inRoot = (p: string, from = root) => path.join(from, path.posix.resolve(workdir, p));
    let workdir = '/';
    // Absolute paths that RUN commands use, rewritten into the stage folder.
    const topLevel = new Set<string>();
    for (const later of stages.slice(index + 1)) {
      for (const i of later.instructions.filter((i) => i.keyword === 'COPY')) {
        const copy = parseCopy(i.args);
        if (copy.from === stage.name || copy.from === String(index)) {
          copy.sources.forEach((s) => topLevel.add(s.split('/')[1]));
        }
      }
    }
    const rewrite = (command: string): string =>
      [...topLevel].reduce(
        (c, top) =>
          c.replace(new RegExp(`(^|[\\s='"])/${top}(?=/|\\s|$)`, 'g'), `$1${root}/${top}`),
        command,
      );
    for (const { keyword, args } of stage.instructions) {
      if (keyword === 'WORKDIR') {
        workdir = path.posix.resolve(workdir, args);
        topLevel.add(workdir.split('/')[1]);
        fs.mkdirSync(inRoot('.'), { recursive: true });
      } else if (keyword === 'ARG') {
        const [name, value = ''] = args.split('=');
        result.env[name] = options.buildArgs?.[name] ?? value;
      } else if (keyword === 'ENV') {
        Object.assign(result.env, parsePairs(args));
      } else if (keyword === 'USER') {
        result.user = args;
      } else if (keyword === 'CMD') {
        result.cmd = parseExecForm(args);
      } else if (keyword === 'COPY') {
        const copy = parseCopy(args);
        const fromRoot = copy.from === null ? null : byName.get(copy.from)?.root;
        if (copy.from !== null && fromRoot === undefined) {
          throw new Error(`COPY --from=${copy.from}: no such earlier stage`);
        }
        for (const source of copy.sources) {
          const src =
            fromRoot == null
              ? path.join(options.context, source)
              : path.join(fromRoot, path.posix.resolve('/', source));
          let dest = inRoot(copy.dest);
          if (copy.dest.endsWith('/') && fs.statSync(src).isFile()) {
            dest = path.join(dest, path.basename(src));
          }
          fs.mkdirSync(fs.statSync(src).isDirectory() ? dest : path.dirname(dest), {
            recursive: true,
          });
          fs.cpSync(src, dest, { recursive: true });
        }
      } else if (keyword === 'RUN') {
        if (options.skipRun(args)) {
          result.skippedRuns.push(args);
          continue;
        }
        const log = fs.openSync(path.join(options.workDir, `stage-${index}.log`), 'a');
        try {
          execFileSync('sh', ['-ec', rewrite(args)], {
            cwd: inRoot('.'),
            env: { ...process.env, PATH: systemPath(), ...result.env },
            stdio: ['ignore', log, log],
          });
        } catch (error) {
          const output = fs.readFileSync(path.join(options.workDir, `stage-${index}.log`), 'utf8');
          throw new Error(`stage ${index} RUN failed: ${args}\n${output.slice(-4000)}`, {
            cause: error,
          });
        } finally {
          fs.closeSync(log);
        }
      }
    }
    results.push(result);
    if (stage.name !== null) byName.set(stage.name, result);
    byName.set(String(index), result);
  });
  return results;
}
