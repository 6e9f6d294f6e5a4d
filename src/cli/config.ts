/** Where the CLI reads its settings: flags first, then environment variables, then defaults. */
import { PlumetraceError } from '../core/errors.ts';

export const DEFAULT_DB = 'var/plumetrace.sqlite';
export const DEFAULT_HOST = '127.0.0.1';
export const DEFAULT_PORT = 8080;

export function resolveDb(flag: string | undefined): string {
  return flag ?? process.env.PLUMETRACE_DB ?? DEFAULT_DB;
}

export function resolveHost(flag: string | undefined): string {
  return flag ?? process.env.HOST ?? DEFAULT_HOST;
}

export function resolvePort(flag: string | undefined): number {
  const raw = flag ?? process.env.PORT;
  if (raw === undefined || raw === '') return DEFAULT_PORT;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new PlumetraceError('PT_ERR_USAGE', `port "${raw}" is not an integer between 0 and 65535`, {
      column: flag ? '--port' : 'PORT',
    });
  }
  return port;
}
