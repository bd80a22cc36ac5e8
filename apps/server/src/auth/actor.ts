import type { Role } from '@driftlock/protocol';

/** Who is making a request: a signed-in person or an integration's API token. */
export interface Actor {
  kind: 'user' | 'api_token';
  id: string;
  name: string;
  role: Role;
}

export interface AgentActor {
  kind: 'agent';
  id: string;
  name: string;
}

export interface SystemActor {
  kind: 'system';
}

export type AuditActor = Actor | AgentActor | SystemActor;
