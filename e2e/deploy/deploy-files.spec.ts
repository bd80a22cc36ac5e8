// The files a user deploys with (docs/deploy.md): docker-compose.yml, the Kubernetes manifests,
// the Dockerfiles and the systemd unit, checked as far as this machine allows. No Docker engine
// runs here, so images are not built with `docker build`; the agent image's build stages run as
// a dry run instead.
import { execFileSync, spawnSync } from 'child_process';
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import * as ts from 'typescript';
import * as vm from 'vm';
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { loadConfig as loadServerConfig } from '../../apps/server/src/config/app-config';
import { loadConfig as loadAgentConfig } from '../../apps/agent/src/config/config';
import {
  aptPackages,
  buildContextFiles,
  dryRunBuild,
  parseCopy,
  parseDockerfile,
  parseExecForm,
  parsePairs,
  type Stage,
} from './dockerfile';

const REPO = path.resolve(__dirname, '..', '..');
const read = (file: string) => fs.readFileSync(path.join(REPO, file), 'utf8');
const AGENT_VERSION: string = JSON.parse(read('apps/agent/package.json')).version;
const DOCS = read('docs/deploy.md');

/** The console's own snippet (apps/console is an ES module package, so it is compiled here). */
function consoleDaemonSetSecret(serverUrl: string, token: string): string {
  const source = read('apps/console/src/features/agents/install.ts');
  const js = ts.transpileModule(source, {
    compilerOptions: { module: ts.ModuleKind.CommonJS, target: ts.ScriptTarget.ES2022 },
  }).outputText;
  const sandbox = { exports: {} as Record<string, (a: string, b: string) => string> };
  vm.runInNewContext(js, sandbox);
  return sandbox.exports.daemonSetSecret(serverUrl, token);
}

/* eslint-disable @typescript-eslint/no-explicit-any -- manifests are checked field by field */
type Obj = Record<string, any>;

function manifests(): { file: string; doc: Obj }[] {
  const dir = path.join(REPO, 'deploy', 'kubernetes');
  return fs
    .readdirSync(dir)
    .filter((f) => /\.ya?ml$/.test(f))
    .flatMap((f) => {
      const docs = parseAllDocuments(fs.readFileSync(path.join(dir, f), 'utf8'));
      return docs.map((d) => {
        if (d.errors.length > 0) throw new Error(`${f}: ${d.errors.map((e) => e.message)}`);
        return { file: f, doc: d.toJS() as Obj };
      });
    });
}

function find(kind: string, name: string): Obj {
  const found = manifests().filter((m) => m.doc.kind === kind && m.doc.metadata?.name === name);
  expect(found.map((m) => `${m.doc.kind}/${m.doc.metadata.name}`)).toEqual([`${kind}/${name}`]);
  return found[0].doc;
}

/** A container's env as name -> plain value or `secret:<name>/<key>` or `field:<path>`. */
function envOf(container: Obj): Record<string, string> {
  const env: Record<string, string> = {};
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    else if (e.valueFrom?.secretKeyRef)
      env[e.name] = `secret:${e.valueFrom.secretKeyRef.name}/${e.valueFrom.secretKeyRef.key}`;
    else if (e.valueFrom?.fieldRef) env[e.name] = `field:${e.valueFrom.fieldRef.fieldPath}`;
  }
  return env;
}

function hostPathMounts(pod: Obj, container: Obj): Record<string, string> {
  const volumes = new Map<string, Obj>(pod.volumes.map((v: Obj) => [v.name, v]));
  const mounts: Record<string, string> = {};
  for (const m of container.volumeMounts ?? []) {
    const hostPath = volumes.get(m.name)?.hostPath?.path;
    if (hostPath) mounts[hostPath] = m.mountPath;
  }
  return mounts;
}

/** Every DRIFTLOCK_* variable a deploy file sets must be one the app reads. */
function expectKnownVariables(names: string[], configSource: string): void {
  const source = read(configSource);
  const unknown = names.filter((n) => n.startsWith('DRIFTLOCK_') && !source.includes(n));
  expect(unknown).toEqual([]);
}

function dockerfile(file: string): Stage[] {
  return parseDockerfile(read(file));
}
const DOCKERFILES = ['apps/server/Dockerfile', 'apps/agent/Dockerfile'];

describe('docker-compose.yml', () => {
  const rendered = (): Obj => {
    const out = execFileSync('docker-compose', ['-f', 'docker-compose.yml', 'config'], {
      cwd: REPO,
      env: { ...process.env, DRIFTLOCK_ADMIN_PASSWORD: '', POSTGRES_PASSWORD: '' },
    }).toString();
    return parseYaml(out) as Obj;
  };

  it('renders with Debian compose into postgres and a server that waits for it to be healthy', () => {
    const { services } = rendered();
    expect(Object.keys(services).sort()).toEqual(['postgres', 'server']);
    expect(services.server.depends_on).toEqual({ postgres: { condition: 'service_healthy' } });
    expect(services.server.build.dockerfile).toBe('apps/server/Dockerfile');
    expect(fs.existsSync(path.join(services.server.build.context, 'apps/server/Dockerfile'))).toBe(
      true,
    );
    expect(services.server.ports).toEqual([expect.objectContaining({ target: 3000 })]);
  });

  it('gives both services a health check, the server probing /api/v1/health', () => {
    const { services } = rendered();
    expect(services.postgres.healthcheck.test.join(' ')).toContain('pg_isready');
    expect(services.server.healthcheck.test.join(' ')).toContain(
      'http://127.0.0.1:3000/api/v1/health',
    );
  });

  it('keeps Postgres data in a named volume', () => {
    const { services, volumes } = rendered();
    const mount = (services.postgres.volumes as string[]).find((v) =>
      v.includes(':/var/lib/postgresql/data'),
    );
    expect(mount).toBeDefined();
    expect(Object.keys(volumes)).toContain(mount!.split(':')[0]);
  });

  it("sets a server environment the server's own config loader accepts, pointing at postgres", () => {
    const env: Record<string, string> = rendered().services.server.environment;
    expect(new URL(env.DATABASE_URL).hostname).toBe('postgres');
    expect(() => loadServerConfig(env)).not.toThrow();
    expectKnownVariables(Object.keys(env), 'apps/server/src/config/app-config.ts');
  });
});

describe('Kubernetes manifests', () => {
  it('parse as YAML, and every object names its apiVersion, kind, name and namespace', () => {
    const all = manifests();
    expect(all.map((m) => m.file)).toEqual(
      expect.arrayContaining(['agent-daemonset.yaml', 'server.yaml']),
    );
    for (const { doc } of all) {
      expect(doc).toEqual(
        expect.objectContaining({
          apiVersion: expect.any(String),
          kind: expect.any(String),
          metadata: expect.objectContaining({ name: expect.any(String) }),
        }),
      );
      if (doc.kind !== 'Namespace') expect(doc.metadata.namespace).toEqual(expect.any(String));
    }
  });

  describe('agent DaemonSet', () => {
    const daemonSet = () => find('DaemonSet', 'driftlock-agent');
    const pod = () => daemonSet().spec.template.spec;
    const agent = () => pod().containers.find((c: Obj) => c.name === 'agent');

    it('selects the pods it templates', () => {
      const ds = daemonSet();
      expect(ds.spec.template.metadata.labels).toEqual(
        expect.objectContaining(ds.spec.selector.matchLabels),
      );
    });

    it("shares the host's pid namespace and runs privileged", () => {
      expect(pod().hostPID).toBe(true);
      const security = agent().securityContext;
      const caps: string[] = security.capabilities?.add ?? [];
      expect(
        security.privileged === true ||
          ['BPF', 'PERFMON', 'SYS_ADMIN'].every((c) => caps.includes(c)),
      ).toBe(true);
    });

    it('takes the enrollment token from the Secret the console hands out, in its namespace', () => {
      const secret = parseYaml(
        consoleDaemonSetSecret('https://driftlock.example.com', 'dle_abc'),
      ) as Obj;
      const token = agent().env.find((e: Obj) => e.name === 'DRIFTLOCK_ENROLL_TOKEN');
      const ref = token.valueFrom.secretKeyRef;
      expect(ref.name).toBe(secret.metadata.name);
      expect(secret.stringData[ref.key]).toBe('dle_abc');
      expect(daemonSet().metadata.namespace).toBe(secret.metadata.namespace);
      // No token literal (dle_... as the console shows it) anywhere in the manifest.
      expect(JSON.stringify(daemonSet())).not.toMatch(/\bdl[a-z]_[A-Za-z0-9]/);
    });

    it('runs in a namespace that server.yaml creates and that admits privileged pods', () => {
      const namespace = find('Namespace', daemonSet().metadata.namespace);
      const enforce = namespace.metadata.labels?.['pod-security.kubernetes.io/enforce'];
      expect(enforce ?? 'privileged').toBe('privileged');
    });

    it('mounts bpffs, kernel BTF, host /proc, the containerd socket and a host state dir it uses', () => {
      const mounts = hostPathMounts(pod(), agent());
      expect(Object.keys(mounts)).toEqual(
        expect.arrayContaining([
          '/sys/fs/bpf',
          '/sys/kernel/btf',
          '/proc',
          '/run/containerd/containerd.sock',
          '/var/lib/driftlock-agent',
        ]),
      );
      expect(mounts['/sys/kernel/btf']).toBe('/sys/kernel/btf');
      const env = envOf(agent());
      // The agent reads what is mounted: host procfs, CRI socket, and keeps state on the host.
      expect(env.DRIFTLOCK_PROC_ROOT).toBe(mounts['/proc']);
      expect(env.DRIFTLOCK_CRI_ADDRESS).toBe(`unix://${mounts['/run/containerd/containerd.sock']}`);
      expect(env.DRIFTLOCK_STATE_DIR).toBe(mounts['/var/lib/driftlock-agent']);
      const state = pod().volumes.find((v: Obj) => v.hostPath?.path === '/var/lib/driftlock-agent');
      expect(state.hostPath.type).toBe('DirectoryOrCreate');
    });

    it('can remove quarantined files from container layers (containerd state is writable)', () => {
      const mount = agent().volumeMounts.find((m: Obj) => m.mountPath === '/var/lib/containerd');
      expect(mount).toBeDefined();
      expect(mount.readOnly ?? false).toBe(false);
    });

    it('runs the image apps/agent/Dockerfile builds, at the version of apps/agent', () => {
      expect(agent().image).toBe(`driftlock/agent:${AGENT_VERSION}`);
      const final = dockerfile('apps/agent/Dockerfile').at(-1)!;
      const label = final.instructions.find((i) => i.keyword === 'LABEL')!;
      expect(parsePairs(label.args)['org.opencontainers.image.version']).toBe(AGENT_VERSION);
      expect(read('apps/agent/Dockerfile')).toContain(`-t driftlock/agent:${AGENT_VERSION} .`);
      expect(DOCS).toContain(`driftlock/agent:${AGENT_VERSION}`);
      // The command is the image's own, with the same entry point.
      const cmd = parseExecForm(final.instructions.find((i) => i.keyword === 'CMD')!.args);
      expect([...agent().command, ...agent().args]).toEqual(cmd);
    });

    it('reaches the server through the Service of server.yaml by default', () => {
      const service = find('Service', 'driftlock-server');
      const url = new URL(envOf(agent()).DRIFTLOCK_SERVER);
      expect(url.hostname).toBe(
        `${service.metadata.name}.${service.metadata.namespace}.svc.cluster.local`,
      );
      expect(Number(url.port)).toBe(service.spec.ports[0].port);
    });

    it("sets an environment the agent's own config loader accepts", () => {
      const env = Object.fromEntries(
        Object.entries(envOf(agent())).map(([k, v]) => [
          k,
          v.startsWith('secret:') ? 'a-token' : v.startsWith('field:') ? 'node-1' : v,
        ]),
      );
      const config = loadAgentConfig({}, env);
      expect(config.kind).toBe('kubernetes');
      expect(config.node).toBe('node-1');
      expectKnownVariables(Object.keys(env), 'apps/agent/src/config/config.ts');
    });
  });

  describe('server', () => {
    const deployment = () => find('Deployment', 'driftlock-server');
    const pod = () => deployment().spec.template.spec;
    const server = () => pod().containers.find((c: Obj) => c.name === 'server');

    it('lives in its own driftlock Namespace, which the same file creates', () => {
      expect(find('Namespace', 'driftlock').metadata.name).toBe('driftlock');
      for (const kind of ['Secret', 'Deployment', 'Service']) {
        expect(find(kind, 'driftlock-server').metadata.namespace).toBe('driftlock');
      }
    });

    it('is probed for readiness and liveness on /api/v1/health', () => {
      const port = server().ports[0];
      for (const probe of ['readinessProbe', 'livenessProbe']) {
        expect(server()[probe].httpGet.path).toBe('/api/v1/health');
        expect([port.name, port.containerPort]).toContain(server()[probe].httpGet.port);
      }
    });

    it('runs as a non-root user without privilege escalation, with resources set', () => {
      expect(pod().securityContext.runAsNonRoot).toBe(true);
      expect(pod().securityContext.runAsUser).toBeGreaterThan(0);
      expect(server().securityContext.allowPrivilegeEscalation).toBe(false);
      expect(server().securityContext.privileged ?? false).toBe(false);
      expect(server().resources.requests).toEqual(
        expect.objectContaining({ cpu: expect.anything(), memory: expect.anything() }),
      );
      expect(server().resources.limits.memory).toBeDefined();
    });

    it('reads DATABASE_URL and the admin password from its Secret, whose values are marked placeholders', () => {
      const env = envOf(server());
      const secret = find('Secret', 'driftlock-server');
      expect(env.DATABASE_URL).toBe('secret:driftlock-server/DATABASE_URL');
      expect(env.DRIFTLOCK_ADMIN_PASSWORD).toBe('secret:driftlock-server/DRIFTLOCK_ADMIN_PASSWORD');
      for (const key of ['DATABASE_URL', 'DRIFTLOCK_ADMIN_PASSWORD']) {
        expect(secret.stringData[key]).toContain('CHANGE-ME');
      }
      // With the Secret's values filled in, the server's own loader accepts the environment and
      // listens beyond loopback on the port the Service targets.
      const resolved = Object.fromEntries(
        Object.entries(env).map(([k, v]) => [
          k,
          v.startsWith('secret:') ? secret.stringData[v.split('/')[1]] : v,
        ]),
      );
      const config = loadServerConfig(resolved);
      expect(config.host).toBe('0.0.0.0');
      expect(config.port).toBe(server().ports[0].containerPort);
      expectKnownVariables(Object.keys(env), 'apps/server/src/config/app-config.ts');
    });

    it('is selected by its Service on the container port', () => {
      const service = find('Service', 'driftlock-server');
      expect(deployment().spec.template.metadata.labels).toEqual(
        expect.objectContaining(service.spec.selector),
      );
      expect(deployment().spec.selector.matchLabels).toEqual(service.spec.selector);
      expect(server().ports.map((p: Obj) => p.name)).toContain(service.spec.ports[0].targetPort);
      expect(server().image).toBe(`driftlock/server:${AGENT_VERSION}`);
    });
  });
});

describe('Dockerfiles', () => {
  const context = new Set(buildContextFiles(REPO));
  const inContext = (source: string): boolean => {
    const rel = path.posix.normalize(source).replace(/\/$/, '');
    if (rel === '.') return true;
    return context.has(rel) || [...context].some((f) => f.startsWith(`${rel}/`));
  };

  it.each(DOCKERFILES)('%s is multi-stage and copies only paths in the build context', (file) => {
    const stages = dockerfile(file);
    expect(stages.length).toBeGreaterThanOrEqual(2);
    const names = stages.map((s) => s.name);
    for (const copy of stages.flatMap((s) =>
      s.instructions.filter((i) => i.keyword === 'COPY').map((i) => parseCopy(i.args)),
    )) {
      if (copy.from !== null) expect(names).toContain(copy.from);
      else
        for (const source of copy.sources)
          expect([source, inContext(source)]).toEqual([source, true]);
    }
    // The final stage takes only build outputs, never the sources.
    const final = stages.at(-1)!;
    expect(
      final.instructions.filter((i) => i.keyword === 'COPY' && parseCopy(i.args).from === null),
    ).toEqual([]);
  });

  it('the server image runs as a non-root user', () => {
    const users = dockerfile('apps/server/Dockerfile')
      .at(-1)!
      .instructions.filter((i) => i.keyword === 'USER');
    expect(users.length).toBeGreaterThan(0);
    expect(['root', '0']).not.toContain(users.at(-1)!.args);
  });

  it('the agent image runs as root and says why', () => {
    const user = dockerfile('apps/agent/Dockerfile')
      .at(-1)!
      .instructions.filter((i) => i.keyword === 'USER')
      .at(-1)!;
    expect(user.args).toBe('root');
    expect(user.comments.join(' ')).toMatch(/root.*(BPF|kill)/i);
  });

  describe('agent image build, as a dry run without Docker', () => {
    let work: string;
    let final: { root: string; env: Record<string, string>; cmd: string[] | null; runs: string[] };

    beforeAll(() => {
      work = fs.mkdtempSync(path.join(os.tmpdir(), 'driftlock-agent-image-'));
      const ctx = path.join(work, 'context');
      for (const file of context) {
        fs.mkdirSync(path.dirname(path.join(ctx, file)), { recursive: true });
        fs.copyFileSync(path.join(REPO, file), path.join(ctx, file));
      }
      // A vmlinux.h made elsewhere (here: from this machine), supplied the documented way; the
      // BTF path points nowhere, so the build cannot have read any kernel's BTF itself.
      fs.writeFileSync(
        path.join(ctx, 'bpf', 'vmlinux.h'),
        execFileSync('bpftool', ['btf', 'dump', 'file', '/sys/kernel/btf/vmlinux', 'format', 'c'], {
          maxBuffer: 256 * 1024 * 1024,
        }),
      );
      const results = dryRunBuild(dockerfile('apps/agent/Dockerfile'), {
        workDir: work,
        context: ctx,
        buildArgs: { VMLINUX_H: 'vmlinux.h', VMLINUX_BTF: '/nonexistent/vmlinux' },
        // pnpm comes from npm and the toolchain and runtime libraries from apt in the image;
        // here they are this machine's (scripts/setup-system.sh).
        skipRun: (run) => /apt-get|npm install -g/.test(run),
      });
      const last = results.at(-1)!;
      final = { root: last.root, env: last.env, cmd: last.cmd, runs: last.skippedRuns };
    }, 300_000);

    afterAll(() => {
      if (work) fs.rmSync(work, { recursive: true, force: true });
    });

    const inImage = (p: string) => path.join(final.root, p);

    it('yields an agent that runs from the path the image and the DaemonSet start it by', () => {
      const script = final.cmd!.find((a) => a.endsWith('main.js'))!;
      expect(script).toBe('/app/apps/agent/dist/main.js');
      const version = execFileSync('node', [inImage(script), '--version'])
        .toString()
        .trim();
      expect(version).toBe(AGENT_VERSION);
      // Production dependencies only, the workspace packages included.
      const modules = path.join(inImage('/app/apps/agent'), 'node_modules');
      expect(fs.existsSync(path.join(modules, '@driftlock', 'cri', 'dist', 'index.js'))).toBe(true);
      expect(fs.existsSync(path.join(modules, '@driftlock', 'protocol', 'dist', 'index.js'))).toBe(
        true,
      );
      expect(fs.existsSync(path.join(modules, '@types'))).toBe(false);
    });

    it('puts the sensor where the image points the agent, and where the agent looks by default', () => {
      const sensor = final.env.DRIFTLOCK_SENSOR_PATH;
      expect(sensor).toBe('/app/bpf/build/driftlock-sensor');
      fs.accessSync(inImage(sensor), fs.constants.X_OK);
      const configModule = inImage('/app/apps/agent/dist/config/config.js');
      const defaultPath = execFileSync('node', [
        '-e',
        `process.stdout.write(require(${JSON.stringify(configModule)}).loadConfig({}, {}).sensorPath)`,
      ]).toString();
      expect(defaultPath).toBe(inImage(sensor));
    });

    it('builds the sensor from the supplied vmlinux.h, linked only against the runtime packages', () => {
      const sensor = inImage(final.env.DRIFTLOCK_SENSOR_PATH);
      // It starts (its shared libraries resolve) and answers a bad flag with its usage.
      const run = spawnSync(sensor, ['--no-such-flag'], { encoding: 'utf8' });
      expect(run.stderr).toContain('usage:');
      const runtimePackages = final.runs.flatMap(aptPackages);
      expect(runtimePackages).toEqual(expect.arrayContaining(['libbpf1', 'libelf1', 'zlib1g']));
      const libraries = execFileSync('ldd', [sensor])
        .toString()
        .split('\n')
        .map((l) => /=>\s+(\/\S+)/.exec(l)?.[1])
        .filter((l): l is string => l !== undefined);
      expect(libraries.length).toBeGreaterThan(0);
      for (const library of libraries) {
        const owner = [library, fs.realpathSync(library)]
          .map((p) => spawnSync('dpkg', ['-S', p], { encoding: 'utf8' }).stdout)
          .find((out) => out !== '')!;
        const pkg = owner.split(':')[0];
        expect([library, [...runtimePackages, 'libc6'].includes(pkg)]).toEqual([library, true]);
      }
    });
  });
});

describe('systemd unit', () => {
  const UNIT = 'deploy/systemd/driftlock-agent.service';
  const settings = (): Record<string, string[]> => {
    const all: Record<string, string[]> = {};
    for (const line of read(UNIT).split('\n')) {
      const m = /^([A-Za-z]+)=(.*)$/.exec(line.trim());
      if (m) (all[m[1]] ??= []).push(m[2]);
    }
    return all;
  };

  const hasSystemdAnalyze = spawnSync('systemd-analyze', ['--version']).status === 0;
  (hasSystemdAnalyze ? it : it.skip)('passes systemd-analyze verify', () => {
    const run = spawnSync('systemd-analyze', ['verify', path.join(REPO, UNIT)], {
      encoding: 'utf8',
    });
    // Only this unit's findings count: verify also loads the units it is ordered after.
    const findings = run.stderr.split('\n').filter((l) => l.includes('driftlock-agent'));
    expect([run.status, findings]).toEqual([0, []]);
  });

  it('starts the agent and its sensor from the paths docs/deploy.md installs them to', () => {
    const s = settings();
    expect(s.ExecStart).toHaveLength(1);
    const [node, ...args] = s.ExecStart[0].split(/\s+/);
    expect(path.isAbsolute(node)).toBe(true);
    expect(args).toEqual([
      '--max-semi-space-size=1',
      '/opt/driftlock/apps/agent/dist/main.js',
      'run',
    ]);
    const env = Object.fromEntries(s.Environment.map((e) => e.split('=', 2) as [string, string]));
    expect(env.DRIFTLOCK_SENSOR_PATH).toBe('/opt/driftlock/bpf/build/driftlock-sensor');
    expect(env.DRIFTLOCK_STATE_DIR).toBe(`/var/lib/${s.StateDirectory[0]}`);
    for (const p of [
      '/opt/driftlock/apps/agent',
      '/opt/driftlock/bpf/build/driftlock-sensor',
      UNIT,
    ]) {
      expect([p, DOCS.includes(p)]).toEqual([p, true]);
    }
    // The same layout as the image (/app there, /opt/driftlock here).
    const image = dockerfile('apps/agent/Dockerfile').at(-1)!;
    const imageEnv = parsePairs(
      image.instructions
        .filter((i) => i.keyword === 'ENV')
        .map((i) => i.args)
        .join(' '),
    );
    expect(imageEnv.DRIFTLOCK_SENSOR_PATH.replace('/app/', '/opt/driftlock/')).toBe(
      env.DRIFTLOCK_SENSOR_PATH,
    );
    expect(s.User).toEqual(['root']);
    expect(s.Restart).toEqual(['always']);
  });
});
