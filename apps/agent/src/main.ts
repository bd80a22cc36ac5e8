#!/usr/bin/env -S node --max-semi-space-size=1
import * as os from 'os';
import { Command } from 'commander';
import pino from 'pino';
import { Agent, AGENT_VERSION } from './agent';
import { AgentConfig, ConfigFlags, loadConfig, maskedConfig, statePaths } from './config/config';
import { describeStatus, readStatus } from './status';
import { enroll, loadCredentials, saveCredentials } from './transport/enroll';

function identity(config: AgentConfig) {
  return {
    version: AGENT_VERSION,
    hostname: config.hostname,
    kind: config.kind,
    cluster: config.cluster,
    node: config.node,
    kernel: os.release(),
  };
}

async function enrollCommand(config: AgentConfig): Promise<void> {
  if (config.server === null)
    throw new Error('enroll: --server URL is required (or DRIFTLOCK_SERVER)');
  if (config.enrollToken === null)
    throw new Error('enroll: --token T is required (or DRIFTLOCK_ENROLL_TOKEN)');
  const credentials = await enroll(config.server, config.enrollToken, identity(config));
  const file = statePaths(config.stateDir).credentials;
  saveCredentials(file, credentials);
  process.stdout.write(
    `enrolled as agent ${credentials.agentId} with ${credentials.server}; credentials in ${file}\n`,
  );
}

async function runCommand(config: AgentConfig): Promise<void> {
  const log = pino({ level: config.logLevel, base: { agent: 'driftlock' } });
  log.info({ config: maskedConfig(config) }, 'agent: configuration');
  const credentialsFile = statePaths(config.stateDir).credentials;
  let credentials = loadCredentials(credentialsFile);
  // A DaemonSet pod enrolls itself on first start, from the token in its Secret.
  if (credentials === null && config.enrollToken !== null && config.server !== null) {
    credentials = await enroll(config.server, config.enrollToken, identity(config));
    saveCredentials(credentialsFile, credentials);
    log.info({ agentId: credentials.agentId }, 'agent: enrolled');
  }
  let agent: Agent | null = null;
  const fail = (error: Error): void => {
    log.fatal(error.message);
    void (agent?.stop() ?? Promise.resolve()).finally(() => process.exit(1));
  };
  agent = new Agent(config, credentials, log, fail);
  const shutdown = (signal: string): void => {
    log.info(`agent: ${signal}, stopping`);
    void agent
      ?.stop()
      .then(() => process.exit(0))
      .catch((error: Error) => {
        log.error(`agent: stopping: ${error.message}`);
        process.exit(1);
      });
  };
  process.once('SIGTERM', () => shutdown('SIGTERM'));
  process.once('SIGINT', () => shutdown('SIGINT'));
  await agent.start();
}

function statusCommand(config: AgentConfig): void {
  const status = readStatus(statePaths(config.stateDir).status);
  const { text, running } = describeStatus(status, config.heartbeatSeconds * 3000);
  process.stdout.write(`${text}\n`);
  process.exitCode = running ? 0 : 3;
}

/** Commander's options object, narrowed to the flags this CLI defines. */
function flags(command: Command): ConfigFlags {
  return command.optsWithGlobals<ConfigFlags>();
}

export function cli(): Command {
  const program = new Command('driftlock-agent')
    .description('driftlock host agent: stops drift in running containers')
    .version(AGENT_VERSION)
    .option(
      '--state-dir <dir>',
      'where credentials, outbox and quarantine live (default /var/lib/driftlock-agent)',
    )
    .option('--log-level <level>', 'fatal, error, warn, info, debug or trace');

  const action =
    (run: (config: AgentConfig) => Promise<void> | void) =>
    async (_options: unknown, command: Command): Promise<void> => {
      try {
        await run(loadConfig(flags(command)));
      } catch (error) {
        process.stderr.write(`${(error as Error).message}\n`);
        process.exit(1);
      }
    };

  program
    .command('enroll')
    .description("exchange an enrollment token for this agent's credentials")
    .option('--server <url>', 'the driftlock server, e.g. http://127.0.0.1:3000')
    .option('--token <token>', 'an enrollment token from the console')
    .action(action(enrollCommand));
  program
    .command('run')
    .description('run the agent (needs root)')
    .option('--sensor <path>', 'the driftlock-sensor loader binary')
    .option('--server <url>', 'server to enroll with on first start (with DRIFTLOCK_ENROLL_TOKEN)')
    .action(action(runCommand));
  program
    .command('status')
    .description('what the running agent is doing (exit 0 when it runs, 3 when it does not)')
    .action(action(statusCommand));
  return program;
}

if (require.main === module) {
  void cli().parseAsync(process.argv);
}
