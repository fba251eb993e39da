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
  return {
    info: (message, fields) => logger.info(message, fields),
    warn: (message, fields) => logger.warn(message, fields),
    error: (message, fields) => logger.error(message, fields),
    debug: (message, fields) => logger.debug(message, fields),
  };
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
