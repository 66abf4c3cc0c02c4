/**
 * A pino destination that keeps every log line, for assertions on what was (and was not) logged.
 */
import { Writable } from 'node:stream';

export interface CollectedLogs {
  lines: string[];
  destination: Writable;
}

export function collectLogs(): CollectedLogs {
  const lines: string[] = [];
  const destination = new Writable({
    write(chunk, _encoding, done) {
      lines.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  return { lines, destination };
}
