import type { Response } from 'express';

/** One error shape for every endpoint: `{ error: { code, message, details? } }`. */
export function sendError(res: Response, status: number, code: string, message: string, details?: string[]): void {
  res.status(status).json({ error: { code, message, ...(details ? { details } : {}) } });
}
