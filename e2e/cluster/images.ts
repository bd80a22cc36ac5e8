import { createHash } from 'crypto';
import * as fs from 'fs';
import * as path from 'path';
import { Containerd, DEFAULT_SANDBOX_IMAGE } from './containerd';
import { run } from './run';

const BUSYBOX = '/bin/busybox';
export const FIXTURES_DIR = path.resolve(__dirname, '..', 'fixtures');
const DEFAULT_PATH = 'PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin';

export interface ImageFile {
  /** Absolute path inside the image. */
  path: string;
  /** File content, or `source`: a host file to copy. */
  content?: string | Buffer;
  source?: string;
  /** Default 0o644, or 0o755 for a copied executable. */
  mode?: number;
}

export interface ImageDefinition {
  /** Fully qualified, so containerd never resolves it against a registry: `driftlock.test/x:1`. */
  tag: string;
  /** Start from a busybox-static rootfs with every applet linked into /bin (default true). */
  busybox?: boolean;
  files?: ImageFile[];
  entrypoint?: string[];
  cmd?: string[];
  env?: string[];
  workingDir?: string;
  labels?: Record<string, string>;
}

export interface BuiltImage {
  tag: string;
  /** The docker-archive tarball (`docker load` and `ctr image import` both read it). */
  archive: string;
  /** sha256 of the image config: containerd's and Docker's image id. */
  id: string;
}

export const TEST_IMAGES = {
  pause: DEFAULT_SANDBOX_IMAGE,
  busybox: 'driftlock.test/busybox:1',
  nodeWebApp: 'driftlock.test/node-web-app:1',
  fileServer: 'driftlock.test/file-server:1',
} as const;

/** Ports the httpd images listen on (127.0.0.1) unless their container sets PORT. */
export const NODE_WEB_APP_PORT = 8080;
export const FILE_SERVER_PORT = 8081;
const HTTPD_CMD = ['/bin/sh', '-c', 'exec httpd -f -p "127.0.0.1:$PORT" -h /www'];

function sha256(data: Buffer | string): string {
  return createHash('sha256').update(data).digest('hex');
}

async function busyboxRootfs(rootfs: string): Promise<void> {
  for (const dir of ['bin', 'sbin', 'usr/bin', 'usr/sbin', 'etc', 'root', 'proc', 'sys', 'dev']) {
    fs.mkdirSync(path.join(rootfs, dir), { recursive: true });
  }
  fs.mkdirSync(path.join(rootfs, 'tmp'), { mode: 0o1777 });
  fs.chmodSync(path.join(rootfs, 'tmp'), 0o1777);
  fs.copyFileSync(BUSYBOX, path.join(rootfs, 'bin/busybox'));
  fs.chmodSync(path.join(rootfs, 'bin/busybox'), 0o755);
  // `--list-full` names each applet's usual home (bin/ls, usr/bin/wget, sbin/httpd ...).
  const { stdout } = await run(BUSYBOX, ['--list-full']);
  for (const applet of stdout.split('\n').filter(Boolean)) {
    const link = path.join(rootfs, applet);
    if (applet === 'bin/busybox' || fs.existsSync(link)) continue;
    fs.mkdirSync(path.dirname(link), { recursive: true });
    fs.symlinkSync('/bin/busybox', link);
  }
  fs.writeFileSync(path.join(rootfs, 'etc/passwd'), 'root:x:0:0:root:/root:/bin/sh\n');
  fs.writeFileSync(path.join(rootfs, 'etc/group'), 'root:x:0:\n');
}

function addFile(rootfs: string, file: ImageFile): void {
  if (!path.isAbsolute(file.path)) {
    throw new Error(`image file ${file.path}: path must be absolute`);
  }
  const target = path.join(rootfs, file.path);
  fs.mkdirSync(path.dirname(target), { recursive: true });
  if (file.source !== undefined) {
    fs.copyFileSync(file.source, target);
    fs.chmodSync(target, file.mode ?? fs.statSync(file.source).mode & 0o777);
  } else if (file.content !== undefined) {
    fs.writeFileSync(target, file.content);
    fs.chmodSync(target, file.mode ?? 0o644);
  } else {
    throw new Error(`image file ${file.path}: give content or source`);
  }
}

/** Builds a one-layer docker-archive tarball in `workDir` without any registry or daemon. */
export async function buildImage(
  definition: ImageDefinition,
  workDir: string,
): Promise<BuiltImage> {
  const name = definition.tag.replace(/[^a-zA-Z0-9.-]+/g, '_');
  const buildDir = path.join(workDir, name);
  fs.rmSync(buildDir, { recursive: true, force: true });
  const rootfs = path.join(buildDir, 'rootfs');
  const archiveDir = path.join(buildDir, 'archive');
  fs.mkdirSync(rootfs, { recursive: true });
  fs.mkdirSync(path.join(archiveDir, 'layer'), { recursive: true });

  if (definition.busybox ?? true) await busyboxRootfs(rootfs);
  for (const file of definition.files ?? []) addFile(rootfs, file);

  const layerPath = path.join(archiveDir, 'layer', 'layer.tar');
  await run('tar', [
    '-C',
    rootfs,
    '--numeric-owner',
    '--owner=0',
    '--group=0',
    '-cf',
    layerPath,
    '.',
  ]);
  const diffId = `sha256:${sha256(fs.readFileSync(layerPath))}`;
  const config = JSON.stringify({
    architecture: 'amd64',
    os: 'linux',
    created: new Date(0).toISOString(),
    config: {
      Env: definition.env ?? [DEFAULT_PATH],
      Entrypoint: definition.entrypoint ?? null,
      Cmd: definition.cmd ?? ['/bin/sh'],
      WorkingDir: definition.workingDir ?? '/',
      Labels: definition.labels ?? {},
    },
    rootfs: { type: 'layers', diff_ids: [diffId] },
  });
  const id = sha256(config);
  fs.writeFileSync(path.join(archiveDir, `${id}.json`), config);
  fs.writeFileSync(
    path.join(archiveDir, 'manifest.json'),
    JSON.stringify([
      { Config: `${id}.json`, RepoTags: [definition.tag], Layers: ['layer/layer.tar'] },
    ]),
  );
  const archive = path.join(workDir, `${name}.tar`);
  await run('tar', ['-C', archiveDir, '-cf', archive, '.']);
  fs.rmSync(buildDir, { recursive: true, force: true });
  return { tag: definition.tag, archive, id: `sha256:${id}` };
}

/** Imports an archive into containerd's CRI namespace, where pods can use it. */
export async function importImage(containerd: Containerd, image: BuiltImage): Promise<void> {
  await containerd.ctr(['images', 'import', image.archive]);
}

/** Compiles the static fixtures (minerd, pause) with e2e/fixtures/Makefile. */
export async function buildFixtures(): Promise<{ minerd: string; pause: string }> {
  await run('make', ['-s', '-C', FIXTURES_DIR]);
  return {
    minerd: path.join(FIXTURES_DIR, 'build', 'minerd'),
    pause: path.join(FIXTURES_DIR, 'build', 'pause'),
  };
}

export interface TestImages {
  pause: BuiltImage;
  busybox: BuiltImage;
  nodeWebApp: BuiltImage;
  fileServer: BuiltImage;
}

/**
 * Builds and imports the images every suite uses: the sandbox's pause image, plain busybox,
 * the "node web app" (busybox httpd on 127.0.0.1:$PORT serving /www), and an attacker's file
 * server (the same httpd with minerd at /minerd) to run beside it in one pod.
 */
export async function prepareTestImages(
  containerd: Containerd,
  workDir: string,
): Promise<TestImages> {
  fs.mkdirSync(workDir, { recursive: true });
  const fixtures = await buildFixtures();
  const images: TestImages = {
    pause: await buildImage(
      {
        tag: TEST_IMAGES.pause,
        busybox: false,
        files: [{ path: '/pause', source: fixtures.pause }],
        cmd: ['/pause'],
      },
      workDir,
    ),
    busybox: await buildImage({ tag: TEST_IMAGES.busybox }, workDir),
    nodeWebApp: await buildImage(
      {
        tag: TEST_IMAGES.nodeWebApp,
        files: [{ path: '/www/index.html', content: '<h1>node web app</h1>\n' }],
        env: [DEFAULT_PATH, `PORT=${NODE_WEB_APP_PORT}`],
        cmd: HTTPD_CMD,
      },
      workDir,
    ),
    fileServer: await buildImage(
      {
        tag: TEST_IMAGES.fileServer,
        files: [{ path: '/www/minerd', source: fixtures.minerd }],
        env: [DEFAULT_PATH, `PORT=${FILE_SERVER_PORT}`],
        cmd: HTTPD_CMD,
      },
      workDir,
    ),
  };
  for (const image of Object.values(images)) await importImage(containerd, image);
  return images;
}
