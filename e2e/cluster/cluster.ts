import * as path from 'path';
import { Containerd, DEFAULT_CONTAINERD_DIR } from './containerd';
import { prepareTestImages, TestImages } from './images';

export interface Cluster {
  containerd: Containerd;
  images: TestImages;
  /** Stops containerd and everything it runs; safe to call twice. */
  stop(): Promise<void>;
}

/**
 * A one-node "cluster": a private containerd with the test images imported, ready for pods.
 * For jest globalSetup and the demo; tests in other processes reach it through
 * `new CriClient({ address: path.join(dir, 'containerd.sock') })`.
 */
export async function startCluster(dir = DEFAULT_CONTAINERD_DIR): Promise<Cluster> {
  const containerd = await Containerd.start({ dir });
  let stopped = false;
  const stop = async (): Promise<void> => {
    if (stopped) return;
    stopped = true;
    await containerd.stop();
  };
  try {
    const images = await prepareTestImages(containerd, path.join(dir, 'images'));
    return { containerd, images, stop };
  } catch (error) {
    await stop();
    throw error;
  }
}
