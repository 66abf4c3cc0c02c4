/** A CloudBase custom-login private key as the console hands it out, made fresh for a test. */
import { generateKeyPairSync, type KeyObject } from 'node:crypto';

export const ENV_ID = 'prod-7gq1x2y3';

/** `pemBody`: a line from the middle of the PEM, what a leak of the key would show. */
export function customLoginKey(envId = ENV_ID, modulusLength = 2048): { json: string; publicKey: KeyObject; pemBody: string } {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength });
  const pem = privateKey.export({ type: 'pkcs1', format: 'pem' }).toString();
  // The console's file: the id, the PEM and the environment.
  const json = JSON.stringify({ private_key_id: 'a1b2c3d4-key', private_key: pem, env_id: envId });
  return { json, publicKey, pemBody: pem.split('\n')[5] };
}

