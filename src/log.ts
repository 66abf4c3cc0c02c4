/**
 * JSON-lines logging with secrets kept out twice over: known sensitive fields are
 * redacted by path, and any configured secret value (the AppSecret, the admin key) is
 * replaced wherever it appears in a line, even inside a message that quoted it.
 */
import { pino, type Logger, type DestinationStream } from 'pino';

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
    options.destination ?? pino.destination({ dest: 1, sync: false }),
  );
}

/** A logger that writes nowhere, for code paths that take one but have nothing to say. */
export const silentLogger: Logger = pino({ level: 'silent' });
