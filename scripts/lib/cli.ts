/**
 * What every command-line tool shares: arguments and --help (node's util.parseArgs), the configured database
 * opened the way a second process on a live relay's file must open it, and one way to say what went wrong.
 */
import fs from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import Database from 'better-sqlite3';
import { redactDatabaseUrl } from '../../relay/src/adapters/postgres/postgres-storage';
import { MIGRATIONS } from '../../relay/src/adapters/sqlite/migrations';
import type { Db } from '../../relay/src/adapters/sqlite/open-database';
import { ConfigError, loadConfig } from '../../relay/src/config/load-config';
import type { RelayConfig } from '../../relay/src/config/config-schema';

/** A mistake the person can fix (a wrong argument, no database yet): said in one message, without a stack. */
export class CliError extends Error {
  constructor(
    message: string,
    /** 2 for a usage mistake, 1 for anything else. */
    readonly exitCode = 1,
  ) {
    super(message);
  }
}

export interface OptionSpec {
  type: 'string' | 'boolean';
  short?: string;
  /** For --help: "--id N". */
  value?: string;
  description: string;
}

export interface CommandSpec {
  /** `npm run <name>` */
  name: string;
  /** The positional part of the usage line: "<order id>". */
  args?: string;
  /** What the command does, a few sentences. */
  summary: string;
  options?: Record<string, OptionSpec>;
  /** How many positional arguments it takes. */
  positionals?: { min: number; max: number };
  /** Examples and notes for the end of --help. */
  notes?: string[];
}

export interface ParsedArgs {
  values: Record<string, string | boolean | undefined>;
  positionals: string[];
}

export function helpText(spec: CommandSpec): string {
  const options: Record<string, OptionSpec> = { ...spec.options, help: { type: 'boolean', short: 'h', description: 'show this help' } };
  const rows = Object.entries(options).map(([name, option]) => [
    `${option.short ? `-${option.short}, ` : '    '}--${name}${option.value ? ` ${option.value}` : ''}`,
    option.description,
  ]);
  const width = Math.max(...rows.map(([left]) => left.length));
  return [
    `Usage: npm run ${spec.name} --${spec.args || spec.options ? ` ${[spec.args, spec.options ? '[options]' : ''].filter(Boolean).join(' ')}` : ''}`,
    '',
    spec.summary,
    '',
    'Options:',
    ...rows.map(([left, right]) => `  ${left.padEnd(width)}  ${right}`),
    '',
    'The database and the rest come from the relay\'s own configuration: the PAYRELAY_* variables, or the file named',
    'by PAYRELAY_CONFIG_FILE (see README.md, "Configuration"). Safe while the relay runs on the same file.',
    ...(spec.notes?.length ? ['', ...spec.notes] : []),
  ].join('\n');
}

/** Parses argv; prints --help and exits 0 when asked; a usage mistake is a CliError (exit 2) naming --help. */
export function parseCommandLine(spec: CommandSpec, argv: string[] = process.argv.slice(2)): ParsedArgs {
  const options = Object.fromEntries(
    Object.entries({ ...spec.options, help: { type: 'boolean', short: 'h', description: '' } as OptionSpec }).map(([name, option]) => [
      name,
      option.short ? { type: option.type, short: option.short } : { type: option.type },
    ]),
  );
  let parsed;
  try {
    parsed = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  } catch (error) {
    throw new CliError(`${(error as Error).message.replace(/\. To specify a positional argument.*$/s, '')}\nSee: npm run ${spec.name} -- --help`, 2);
  }
  if (parsed.values.help) {
    console.log(helpText(spec));
    process.exit(0);
  }
  const { min, max } = spec.positionals ?? { min: 0, max: 0 };
  if (parsed.positionals.length < min || parsed.positionals.length > max) {
    const wanted = max === 0 ? 'no arguments' : min === max ? `${min} argument${min === 1 ? '' : 's'} (${spec.args})` : `${min} to ${max} arguments (${spec.args})`;
    throw new CliError(`npm run ${spec.name} takes ${wanted}, got ${parsed.positionals.length}.\nSee: npm run ${spec.name} -- --help`, 2);
  }
  return { values: parsed.values as ParsedArgs['values'], positionals: parsed.positionals };
}

export interface RelayDatabase {
  config: Readonly<RelayConfig>;
  db: Db;
  close(): void;
}

/**
 * The configured relay's database, opened as a second process on a live relay's file may open it: it must exist
 * (a tool never creates an empty database where the relay would look), the relay lock is left alone (the relay
 * holds it; these tools do not run the outbox), and the schema must be the one this checkout knows, because the
 * tools do not migrate a file a running relay of another version is using.
 */
export function openRelayDatabase(env: NodeJS.ProcessEnv = process.env): RelayDatabase {
  const config = loadConfig(env);
  const file = config.databasePath;
  if (config.databaseUrl) {
    throw new CliError(`PAYRELAY_DATABASE_URL is set (${redactDatabaseUrl(config.databaseUrl)}): the relay keeps its data in PostgreSQL, and these tools work on the SQLite file only (PAYRELAY_DB). Use the relay dashboard (/admin) for this database.`);
  }
  if (file === ':memory:') throw new CliError('PAYRELAY_DB is :memory:: that database lives inside the relay process; there is nothing to open from here.');
  if (!fs.existsSync(file)) {
    const where = env.PAYRELAY_DB || env.PAYRELAY_CONFIG_FILE ? `${file}: there is no such file` : `${file}: PAYRELAY_DB is not set, and there is no such file at the relay's default path (relative to ${process.cwd()})`;
    throw new CliError(`No relay database at ${where}.\nStart the relay once (npm start) to create it, or set PAYRELAY_DB (or PAYRELAY_CONFIG_FILE) to the file your relay uses.`);
  }
  const db = new Database(file, { fileMustExist: true });
  const close = () => db.close();
  try {
    db.pragma(`busy_timeout = ${Math.floor(config.databaseBusyTimeoutMs)}`);
    db.pragma('synchronous = FULL');
    db.pragma('foreign_keys = ON');
    const version = db.pragma('user_version', { simple: true }) as number;
    if (version === 0) throw new CliError(`${path.resolve(file)} is not a relay database yet (no schema): start the relay once (npm start) on it.`);
    if (version < MIGRATIONS.length) {
      throw new CliError(`${path.resolve(file)} has schema version ${version}; these tools expect ${MIGRATIONS.length}. Start this version of the relay once: it migrates the file at start-up (take a backup first: npm run backup -- <file>).`);
    }
    if (version > MIGRATIONS.length) throw new CliError(`${path.resolve(file)} has schema version ${version}, newer than these tools (${MIGRATIONS.length}): use the tools of the relay version that runs on it.`);
  } catch (error) {
    close();
    throw error;
  }
  return { config, db, close };
}

/** Runs a tool's main: a CliError or a configuration problem is one clear message and its exit code. */
export function runCommand(main: () => Promise<void> | void): void {
  Promise.resolve()
    .then(main)
    .catch((error: unknown) => {
      if (error instanceof CliError) {
        console.error(error.message);
        process.exit(error.exitCode);
      }
      if (error instanceof ConfigError) {
        console.error(error.message);
        process.exit(1);
      }
      console.error(error);
      process.exit(1);
    });
}

/** A timestamp people read: UTC to the second. */
export function when(ms: number | null): string {
  return ms === null ? '-' : new Date(ms).toISOString().replace('T', ' ').replace(/\.\d{3}Z$/, 'Z');
}
