import { createTestApp, type TestApp } from '../../test/harness';
import { ProcessEventsService } from './process-events.service';

const DAY = 24 * 60 * 60 * 1000;

async function partitions(t: TestApp): Promise<string[]> {
  const rows: { name: string }[] = await t.db.query(
    `SELECT c.relname AS name FROM pg_inherits i
       JOIN pg_class c ON c.oid = i.inhrelid JOIN pg_class p ON p.oid = i.inhparent
      WHERE p.relname = 'process_events' ORDER BY 1`,
  );
  return rows.map((r) => r.name);
}

const partitionOf = (t: Date) => `process_events_${t.toISOString().slice(0, 10).replace(/-/g, '')}`;

describe('process event partitions', () => {
  let t: TestApp;
  let service: ProcessEventsService;

  beforeAll(async () => {
    t = await createTestApp({ DRIFTLOCK_PROCESS_EVENT_RETENTION_DAYS: '3' });
    service = t.app.get(ProcessEventsService);
  });
  afterAll(() => t.close());

  it('has daily partitions from yesterday to three days ahead once the server started', async () => {
    const now = Date.now();
    const expected = [-1, 0, 1, 2, 3].map((d) => partitionOf(new Date(now + d * DAY)));
    expect(await partitions(t)).toEqual(
      expect.arrayContaining([...expected, 'process_events_default']),
    );
  });

  it('stores events in the partition of the day they arrived', async () => {
    await t.db
      .query(`INSERT INTO process_events (agent_id, event_id, kind, process_id, storyline_id)
                      VALUES (gen_random_uuid(), 'e1', 'exit', 'p1', 's1')`);
    const [row] = await t.db.query(`SELECT tableoid::regclass::text AS part FROM process_events`);
    expect(row.part).toBe(partitionOf(new Date()));
  });

  it('drops partitions older than the retention and keeps the rest', async () => {
    const later = new Date(Date.now() + 5 * DAY);
    await service.maintain(later);
    const names = await partitions(t);
    expect(names).not.toContain(partitionOf(new Date(Date.now() - DAY)));
    expect(names).not.toContain(partitionOf(new Date()));
    expect(names).toContain(partitionOf(new Date(later.getTime() - 2 * DAY)));
    expect(names).toContain(partitionOf(new Date(later.getTime() + 3 * DAY)));
    const [{ n }] = await t.db.query(`SELECT count(*)::int AS n FROM process_events`);
    expect(n).toBe(0);
  });
});
