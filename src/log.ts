/**
 * JSON-lines logging with secrets kept out twice over: known sensitive fields are
 * redacted by path, and any configured secret value (the AppSecret, the admin key) is
 * replaced wherever it appears in a line, even inside a message that quoted it.
 *
 * Lines are written asynchronously through a bounded buffer: when whoever reads stdout falls
 * behind, lines past the buffer are dropped and counted (said once, when there is room again),
 * instead of growing memory until the instance is killed. The destination registers no flush at
 * process exit: pino's own does a synchronous write that never returns while stdout is full,
 * which kept a stopping process alive.
 */
import { pino, type Logger, type DestinationStream } from 'pino';
import sonicBoom, { type SonicBoom as SonicBoomClass } from 'sonic-boom';

// sonic-boom is CommonJS with `module.exports = SonicBoom`, while its types declare a named class.
const SonicBoom = sonicBoom as unknown as typeof SonicBoomClass;
type SonicBoom = SonicBoomClass;

export type { Logger } from 'pino';

export const REDACTED = '[redacted]';

/** Field names that carry credentials, wherever they sit in a log object. */
const SENSITIVE_KEYS = [
  'appSecret',
  'secret',
  'access_token',
  'refresh_token',
  'ticket',
  'code_verifier',
  'private_key',
  'jsapi_ticket',
  'code',
  'authorization',
  'Authorization',
  'x-cloudbase-context',
  'x-api-key',
  'cookie',
  'password',
];

const REDACT_PATHS = SENSITIVE_KEYS.flatMap((key) => [key, `*.${key}`, `*.*.${key}`].map((path) => (key.includes('-') ? path.replace(key, `["${key}"]`) : path)));

/** The most log output held in memory while stdout is slow; past it lines are dropped. */
export const MAX_LOG_BUFFER_BYTES = 4 * 1024 * 1024;

export type StdoutDestination = SonicBoom & {
  /** Lines dropped because the buffer was full. */
  dropped: number;
  /** Calls `done` once every line written so far has left the buffer (at once when none waits). */
  settle(done: () => void): void;
};

/** stdout, asynchronous and bounded; the first dropped line is reported once the buffer has room again. */
export function stdoutDestination(options: { maxBytes?: number; fd?: number } = {}): StdoutDestination {
  const boom = new SonicBoom({ fd: options.fd ?? 1, sync: false, maxLength: options.maxBytes ?? MAX_LOG_BUFFER_BYTES });
  // sonic-boom's own flush(cb) answers at once when it batches nothing (minLength 0); what is
  // buffered or being written is read from its state instead.
  const state = boom as unknown as { _len: number; _writing: boolean };
  const stream: StdoutDestination = Object.assign(boom, {
    dropped: 0,
    settle(done: () => void) {
      if (state._len === 0 && !state._writing) done();
      else boom.once('drain', done);
    },
  });
  stream.on('drop', () => {
    if (stream.dropped++ > 0) return;
    // Said once, when the reader has caught up: written now, it would be dropped too.
    stream.once('drain', () => {
      stream.write(
        `${JSON.stringify({ level: 40, time: Date.now(), msg: 'log output was dropped: stdout was read more slowly than lines were written', dropped: stream.dropped, maxBufferBytes: options.maxBytes ?? MAX_LOG_BUFFER_BYTES })}\n`,
      );
    });
  });
  return stream;
}

export interface LoggerOptions {
  level?: string;
  /** Values that must never appear in a line, whatever field they hide in. */
  secrets?: Array<string | undefined>;
  /** Where lines go; stdout by default. Tests pass a collector. */
  destination?: DestinationStream;
  name?: string;
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const secrets = (options.secrets ?? []).filter((value): value is string => typeof value === 'string' && value.length >= 8);
  return pino(
    {
      name: options.name ?? 'offiaccount-common',
      level: options.level ?? 'info',
      base: undefined,
      redact: { paths: REDACT_PATHS, censor: REDACTED },
      // pino rejects `hooks: undefined`, so the key is left out when there is nothing to scrub.
      ...(secrets.length && {
        hooks: {
          streamWrite(line: string): string {
            let out = line;
            for (const secret of secrets) {
              if (out.includes(secret)) out = out.split(secret).join(REDACTED);
            }
            return out;
          },
        },
      }),
    },
    options.destination ?? stdoutDestination(),
  );
}

/** Calls `done` once the logger's lines have reached stdout; at once for destinations that do not say (tests' collectors). */
export function afterLinesWritten(logger: Logger, done: () => void): void {
  const stream = (logger as unknown as Record<symbol, unknown>)[pino.symbols.streamSym] as Partial<StdoutDestination> | undefined;
  if (typeof stream?.settle === 'function') stream.settle(done);
  else done();
}

/** A logger that writes nowhere, for code paths that take one but have nothing to say. */
export const silentLogger: Logger = pino({ level: 'silent' });
