import { z } from 'zod';
import { ContainerRuntime, isoTime, labels, sha256Hex } from './common';

/** The container a process ran in, as the container runtime describes it. */
export const ContainerInfo = z.object({
  id: z.string().min(1).max(128),
  name: z.string().max(256),
  runtime: ContainerRuntime,
  image: z.string().max(512),
  imageDigest: z.string().max(256).nullable(),
  startedAt: isoTime.nullable(),
});
export type ContainerInfo = z.infer<typeof ContainerInfo>;

/** Kubernetes context, from the CRI pod sandbox the container belongs to. */
export const KubernetesInfo = z.object({
  podName: z.string().max(253),
  podUid: z.string().max(64),
  namespace: z.string().max(63),
  podLabels: labels,
  containerName: z.string().max(253),
  node: z.string().max(253),
  cluster: z.string().max(253).nullable(),
});
export type KubernetesInfo = z.infer<typeof KubernetesInfo>;

/** The executed (or interpreted) file that is drift. */
export const FileInfo = z.object({
  path: z.string().min(1).max(4096),
  size: z.number().int().nonnegative().nullable(),
  sha256: sha256Hex.nullable(),
});
export type FileInfo = z.infer<typeof FileInfo>;
