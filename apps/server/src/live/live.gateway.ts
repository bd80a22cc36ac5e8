import { OnApplicationBootstrap } from '@nestjs/common';
import { OnGatewayInit, WebSocketGateway } from '@nestjs/websockets';
import { LIVE_NAMESPACE, type LiveEvents } from '@driftlock/protocol';
import type { Namespace } from 'socket.io';
import { AgentsService } from '../agents/agents.service';
import type { Actor } from '../auth/actor';
import { AuthService } from '../auth/auth.service';
import { roleAllows } from '@driftlock/protocol';
import { errorText } from '../events/errors';
import { EventBus } from '../events/event-bus.service';
import type { FleetEvent } from '../events/fleet-event';
import { PoliciesService } from '../policies/policies.service';
import { ThreatsService } from '../threats/threats.service';
import { LIVE_SOCKET_PATH } from './live-path';

type LiveNamespace = Namespace<
  Record<string, never>,
  LiveEvents,
  Record<string, never>,
  { actor: Actor }
>;

/**
 * Console live updates over socket.io. Each replica hears every change through the event bus
 * and tells its own connected consoles, so a console sees changes made on any replica.
 */
@WebSocketGateway({
  namespace: LIVE_NAMESPACE,
  path: LIVE_SOCKET_PATH,
  // socket.io would end every other upgrade after a second; the agent gateway answers those
  // itself (after a database lookup, which may take longer under load) and refuses the rest.
  destroyUpgrade: false,
})
export class LiveGateway implements OnGatewayInit<LiveNamespace>, OnApplicationBootstrap {
  private namespace: LiveNamespace | null = null;

  constructor(
    private readonly auth: AuthService,
    private readonly events: EventBus,
    private readonly threats: ThreatsService,
    private readonly agents: AgentsService,
    private readonly policies: PoliciesService,
  ) {}

  afterInit(namespace: LiveNamespace): void {
    this.namespace = namespace;
    namespace.use((socket, next) => {
      this.auth
        .actorFromCookieHeader(socket.handshake.headers.cookie)
        .then((actor) => {
          if (!actor) return next(new Error('live: sign in first (no valid session cookie)'));
          if (!roleAllows(actor.role, 'threats:read')) {
            return next(new Error(`live: role ${actor.role} may not read threats`));
          }
          socket.data.actor = actor;
          next();
        })
        .catch((err: unknown) => next(new Error(`live: cannot check session: ${errorText(err)}`)));
    });
  }

  onApplicationBootstrap(): void {
    this.events.subscribe((e) => this.relay(e));
  }

  private async relay(e: FleetEvent): Promise<void> {
    const ns = this.namespace;
    if (!ns || ns.sockets.size === 0) return;
    switch (e.type) {
      case 'threat.created':
        for (const t of await this.threats.summaries(e.ids)) ns.emit('threat.created', t);
        return;
      case 'threat.updated':
        for (const t of await this.threats.summaries(e.ids)) ns.emit('threat.updated', t);
        return;
      case 'agent.status':
        ns.emit('agent.status', await this.agents.get(e.agentId));
        return;
      case 'policy.changed':
        ns.emit('policy.changed', await this.policies.view());
        return;
      case 'agent.command':
      case 'agent.decommissioned':
      case 'resync':
        return;
    }
  }
}
