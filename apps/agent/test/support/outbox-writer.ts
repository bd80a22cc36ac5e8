// Appends threats to an outbox as fast as it can, printing each number once append() returned
// (the message is durable then), until the test SIGKILLs it mid-write.
import { Outbox } from '../../src/transport/outbox';
import { sampleThreat } from './fixtures';

const outbox = Outbox.open(process.argv[2], { maxEventBatches: 10 });
for (let n = 1; ; n++) {
  outbox.append({ type: 'threat', threat: sampleThreat(n) });
  process.stdout.write(`${n}\n`);
}
