import type { MigrationInterface, QueryRunner } from 'typeorm';

/**
 * The fleet: enrolled agents and what they report (threats, process events, quarantine),
 * the Application Control policy and webhook deliveries.
 */
export class Fleet1765000000000 implements MigrationInterface {
  name = 'Fleet1765000000000';

  async up(q: QueryRunner): Promise<void> {
    await q.query(`
      CREATE TABLE enrollment_tokens (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        prefix text NOT NULL,
        token_hash text NOT NULL UNIQUE,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text,
        expires_at timestamptz,
        max_uses integer,
        uses integer NOT NULL DEFAULT 0,
        revoked_at timestamptz
      )`);

    await q.query(`
      CREATE TABLE agents (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        secret_hash text NOT NULL,
        enrollment_token_id uuid REFERENCES enrollment_tokens(id) ON DELETE SET NULL,
        hostname text NOT NULL,
        kind text NOT NULL,
        cluster text,
        node text,
        version text NOT NULL,
        kernel text NOT NULL,
        capabilities jsonb,
        stats jsonb,
        policy_version integer,
        enrolled_at timestamptz NOT NULL DEFAULT now(),
        last_seen_at timestamptz,
        disconnected_at timestamptz,
        decommissioned_at timestamptz
      )`);

    // One row per agent message id: inserted in the same transaction as the message's effect,
    // so a resent message finds its id and changes nothing.
    await q.query(`
      CREATE TABLE agent_messages (
        agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        message_id text NOT NULL,
        type text NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        PRIMARY KEY (agent_id, message_id)
      )`);
    await q.query(`CREATE INDEX agent_messages_received_at ON agent_messages (received_at)`);

    await q.query(`
      CREATE TABLE policy_versions (
        version integer PRIMARY KEY,
        document jsonb NOT NULL,
        summary text NOT NULL,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text
      )`);
    await q.query(
      `INSERT INTO policy_versions (version, document, summary) VALUES (1, $1, 'initial policy')`,
      [
        JSON.stringify({
          version: 1,
          // Off until someone switches it on: a fresh install must never kill anything by surprise.
          default: { enabled: false, mode: 'protect' },
          overrides: [],
          exceptions: [],
        }),
      ],
    );

    await q.query(`
      CREATE TABLE threats (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        agent_id uuid NOT NULL REFERENCES agents(id),
        agent_threat_id text NOT NULL,
        detected_at timestamptz NOT NULL,
        received_at timestamptz NOT NULL DEFAULT now(),
        engine text NOT NULL,
        drift_class text NOT NULL,
        mode text NOT NULL,
        command_line text NOT NULL,
        process_id text NOT NULL,
        storyline_id text NOT NULL,
        file_path text NOT NULL,
        file_size bigint,
        file_sha256 text,
        mitigations jsonb NOT NULL,
        mitigation text NOT NULL,
        container jsonb,
        kubernetes jsonb,
        container_id text,
        container_name text,
        image text,
        pod_name text,
        pod_uid text,
        namespace text,
        node text,
        cluster text,
        storyline jsonb NOT NULL,
        status text NOT NULL DEFAULT 'unresolved',
        verdict text,
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (agent_id, agent_threat_id)
      )`);
    await q.query(`CREATE INDEX threats_detected ON threats (detected_at DESC, id DESC)`);
    await q.query(`CREATE INDEX threats_status ON threats (status, detected_at DESC, id DESC)`);
    await q.query(`CREATE INDEX threats_namespace ON threats (namespace, detected_at DESC)`);

    await q.query(`
      CREATE TABLE threat_notes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        threat_id uuid NOT NULL REFERENCES threats(id) ON DELETE CASCADE,
        at timestamptz NOT NULL DEFAULT now(),
        author text NOT NULL,
        text text NOT NULL
      )`);
    await q.query(`CREATE INDEX threat_notes_threat ON threat_notes (threat_id, at)`);
    await q.query(`
      CREATE TABLE threat_changes (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        threat_id uuid NOT NULL REFERENCES threats(id) ON DELETE CASCADE,
        at timestamptz NOT NULL DEFAULT now(),
        author text NOT NULL,
        field text NOT NULL,
        from_value text,
        to_value text
      )`);
    await q.query(`CREATE INDEX threat_changes_threat ON threat_changes (threat_id, at)`);

    // Partitioned by the day the server received the events, so retention drops whole
    // partitions; the default partition catches rows if the daily ones were not made in time.
    await q.query(`
      CREATE TABLE process_events (
        received_at timestamptz NOT NULL DEFAULT now(),
        agent_id uuid NOT NULL,
        event_id text NOT NULL,
        kind text NOT NULL,
        process_id text NOT NULL,
        parent_process_id text,
        storyline_id text NOT NULL,
        pid integer,
        ppid integer,
        exe text,
        args jsonb,
        args_truncated boolean,
        cwd text,
        uid bigint,
        username text,
        started_at timestamptz,
        exited_at timestamptz,
        exit_code integer,
        signal integer,
        flags jsonb,
        container_id text,
        origin text
      ) PARTITION BY RANGE (received_at)`);
    await q.query(`CREATE TABLE process_events_default PARTITION OF process_events DEFAULT`);
    await q.query(
      `CREATE INDEX process_events_storyline ON process_events (agent_id, storyline_id)`,
    );

    await q.query(`
      CREATE TABLE quarantine_items (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        agent_id uuid NOT NULL REFERENCES agents(id),
        threat_id uuid REFERENCES threats(id) ON DELETE SET NULL,
        quarantine_id text NOT NULL,
        path text NOT NULL,
        sha256 text,
        size bigint,
        status text NOT NULL DEFAULT 'quarantined',
        last_detail text,
        created_at timestamptz NOT NULL DEFAULT now(),
        updated_at timestamptz NOT NULL DEFAULT now(),
        UNIQUE (agent_id, quarantine_id)
      )`);

    await q.query(`
      CREATE TABLE agent_commands (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        agent_id uuid NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
        command text NOT NULL,
        quarantine_item_id uuid NOT NULL REFERENCES quarantine_items(id) ON DELETE CASCADE,
        status text NOT NULL DEFAULT 'pending',
        detail text,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text,
        completed_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX agent_commands_pending ON agent_commands (agent_id) WHERE status = 'pending'`,
    );

    await q.query(`
      CREATE TABLE webhooks (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        name text NOT NULL,
        url text NOT NULL,
        secret text NOT NULL,
        enabled boolean NOT NULL DEFAULT true,
        created_at timestamptz NOT NULL DEFAULT now(),
        created_by text,
        last_delivery_at timestamptz,
        last_delivery_status text
      )`);
    await q.query(`
      CREATE TABLE webhook_deliveries (
        id uuid PRIMARY KEY DEFAULT gen_random_uuid(),
        webhook_id uuid NOT NULL REFERENCES webhooks(id) ON DELETE CASCADE,
        event text NOT NULL,
        payload jsonb NOT NULL,
        status text NOT NULL DEFAULT 'pending',
        attempts integer NOT NULL DEFAULT 0,
        next_attempt_at timestamptz NOT NULL DEFAULT now(),
        locked_until timestamptz,
        last_error text,
        created_at timestamptz NOT NULL DEFAULT now(),
        delivered_at timestamptz
      )`);
    await q.query(
      `CREATE INDEX webhook_deliveries_due ON webhook_deliveries (next_attempt_at) WHERE status = 'pending'`,
    );
  }

  async down(q: QueryRunner): Promise<void> {
    for (const table of [
      'webhook_deliveries',
      'webhooks',
      'agent_commands',
      'quarantine_items',
      'process_events',
      'threat_changes',
      'threat_notes',
      'threats',
      'policy_versions',
      'agent_messages',
      'agents',
      'enrollment_tokens',
    ]) {
      await q.query(`DROP TABLE IF EXISTS ${table} CASCADE`);
    }
  }
}
