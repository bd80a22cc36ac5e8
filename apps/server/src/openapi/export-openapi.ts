import { writeFileSync } from 'node:fs';
import { AppModule } from '../app.module';
import { buildOpenApi } from './openapi';
import { collectRoutes } from './routes';
import { SERVER_VERSION } from '../version';

/** `node dist/openapi/export-openapi.js openapi.json`: the file the console's client is checked against. */
const out = process.argv[2] ?? 'openapi.json';
const doc = buildOpenApi(collectRoutes(AppModule.routesOnly()), SERVER_VERSION);
writeFileSync(out, JSON.stringify(doc, null, 2) + '\n');
console.log(`openapi: wrote ${out}`);
