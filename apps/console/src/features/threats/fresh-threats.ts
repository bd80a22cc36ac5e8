import { useSyncExternalStore } from 'react';

/** Ids of threats that arrived live in this session, to highlight them and count them. */
let fresh: ReadonlySet<string> = new Set();
const listeners = new Set<() => void>();

export function markFresh(id: string): void {
  if (fresh.has(id)) return;
  fresh = new Set(fresh).add(id);
  listeners.forEach((l) => l());
}

export function clearFresh(): void {
  fresh = new Set();
  listeners.forEach((l) => l());
}

function subscribe(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useFreshThreats(): ReadonlySet<string> {
  return useSyncExternalStore(subscribe, () => fresh);
}
