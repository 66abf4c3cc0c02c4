/**
 * What an API group's emulator part gives the emulator: the WeChat endpoints it answers.
 * The core does for every endpoint what WeChat does before any API's own logic: the method
 * check (43001/43002), the body parse (47001), the global-token check, call counting and the
 * injected delays and failures; a part's `answer` sees only a request that passed them.
 */
import type { Account, EmulatorCore, Reply } from './core.js';

export interface EmulatorRequest {
  query: Record<string, string>;
  /** A JSON body (an object), or a form's string fields; empty for a GET. */
  body: Record<string, unknown>;
  /** A multipart body's files by field name. */
  files: Record<string, File>;
  /** The account whose global token the call carried (endpoints with `token: 'global'`). */
  account?: Account;
  /** The emulator's own origin, for URLs in answers (avatars). */
  origin: string;
}

/** A body that is not JSON (a media file), as WeChat sends one. */
export interface BinaryReply {
  binary: Uint8Array;
  contentType: string;
  /** 200 when absent; a page WeChat answers with an HTTP error (an unknown QR ticket) sets it. */
  status?: number;
}

export interface EmulatorEndpoint {
  method: 'GET' | 'POST';
  path: string;
  /** global: the access_token query parameter must be a live global token. */
  token?: 'global';
  /** What a POST carries: json (default) or multipart. */
  body?: 'json' | 'multipart';
  /**
   * Calls a day per account (WeChat's figure for a new account, wechat-oa-api.md §1.2); past it
   * the call answers 45009 before `answer` runs. openapi/quota/get reports it by path.
   */
  dailyQuota?: number;
  answer(request: EmulatorRequest): Reply | BinaryReply | Promise<Reply | BinaryReply>;
}

export interface EmulatorPart {
  endpoints: EmulatorEndpoint[];
}

export interface EmulatorSettings {
  /** Codes named bench-<unique> are exchanged without the authorize page and nothing of them is kept (benchmarks). */
  acceptBenchCodes?: boolean;
}

export type EmulatorPartFactory<P extends EmulatorPart = EmulatorPart> = (core: EmulatorCore, settings: EmulatorSettings) => P;
