/**
 * The response shape every route shares: `{code: 0, msg: 'success', data}` on success and
 * `{code: -1, msg, data: null}` on failure, as CloudBase's generated function answers.
 * Failures also carry what a program or a support ticket needs: WeChat's errcode and rid,
 * a hint, and the request id.
 */
import { AppError } from '../errors.js';

export interface SuccessEnvelope<T> {
  code: 0;
  msg: 'success';
  data: T;
}

export interface FailureEnvelope {
  code: -1;
  msg: string;
  data: null;
  errcode?: number;
  rid?: string;
  hint?: string;
  requestId?: string;
}

export const success = <T>(data: T): SuccessEnvelope<T> => ({ code: 0, msg: 'success', data });

export function failure(error: AppError, requestId?: string): FailureEnvelope {
  const body: FailureEnvelope = { code: -1, msg: error.message, data: null };
  if (error.details.errcode !== undefined) body.errcode = error.details.errcode;
  if (error.details.rid) body.rid = error.details.rid;
  if (error.details.hint) body.hint = error.details.hint;
  if (requestId) body.requestId = requestId;
  return body;
}
