/**
 * A fresh Official Account identity per test: its AppID namespaces every key in the store,
 * so tests sharing the Redis on 6379 (and runs on the same machine) never see each other's data.
 */
import { randomBytes } from 'node:crypto';

export const randomAppId = (): string => `wx${randomBytes(8).toString('hex')}`;

export const randomSecret = (): string => randomBytes(16).toString('hex');

export const ADMIN_KEY = 'admin-key-for-tests-0123456789abcdef';

export const REDIS_URL = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379';
