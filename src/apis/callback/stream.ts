/**
 * Accepted pushes appended to a Redis Stream, for the business's workers to read with consumer
 * groups at their own pace, beyond WeChat's 5 seconds. The stream is capped (approximately, so
 * Redis trims whole nodes cheaply); workers that fall further behind than the cap lose the oldest.
 */
import type { Cluster, Redis } from 'ioredis';
import type { InboundMessage } from './messages.js';

/** The stream's default key; the hash tag keeps it in the account's cluster slot. */
export const defaultStreamKey = (appId: string): string => `oa:{${appId}}:messages`;

export interface StreamOptions {
  client: Pick<Redis | Cluster, 'xadd'>;
  key: string;
  /** Entries kept, approximately. */
  maxLength?: number;
}

export class MessageStream {
  readonly key: string;
  private readonly maxLength: number;

  constructor(private readonly options: StreamOptions) {
    this.key = options.key;
    this.maxLength = options.maxLength ?? 100_000;
  }

  /** The entry's id. Fields: `message` (JSON, WeChat's field names), `xml`, `requestId`. */
  async append(message: InboundMessage, xml: string, requestId = ''): Promise<string> {
    const id = await this.options.client.xadd(
      this.key,
      'MAXLEN',
      '~',
      this.maxLength,
      '*',
      'message',
      JSON.stringify(message),
      'xml',
      xml,
      'requestId',
      requestId,
    );
    return id as string;
  }
}
