import winston from 'winston';
import type { Logger } from '../ports/logger';

/** JSON lines on stdout; the level comes from configuration. */
export function createWinstonLogger(level: string, silent = false): Logger {
  const logger = winston.createLogger({
    level,
    silent,
    format: winston.format.combine(winston.format.timestamp(), winston.format.json()),
    transports: [new winston.transports.Console()],
  });
  // Checked first so a disabled level costs nothing on the webhook path.
  const at = (level: 'info' | 'warn' | 'error' | 'debug') => (message: string, fields?: Record<string, unknown>) => {
    if (!silent && logger.isLevelEnabled(level)) logger.log(level, message, fields);
  };
  return { info: at('info'), warn: at('warn'), error: at('error'), debug: at('debug') };
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
