/**
 * What every command-line tool shares: arguments and --help (node's util.parseArgs), the --shop option, and one
 * way to say what went wrong. The store they work on is opened by relay-store.ts.
 */
import { parseArgs } from 'node:util';
import { ConfigError } from '../../relay/src/config/load-config';

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

/** --shop: a registered shop's own store and configuration instead of the environment shop's ("Many shops"). */
export const SHOP_OPTION: OptionSpec = {
  type: 'string',
  short: 's',
  value: 'ID',
  description: "a registered shop's own store (data/shops/<id>.db, or schema <main>_shop_<id>) instead of the main one",
};

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
    'by PAYRELAY_CONFIG_FILE (see README.md, "Configuration"): the SQLite file PAYRELAY_DB, or with PAYRELAY_DATABASE_URL',
    'the fleet\'s PostgreSQL database. Safe while relays run on it.',
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
