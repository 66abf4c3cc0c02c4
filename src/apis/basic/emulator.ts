/**
 * The IP lists and the callback check in the emulator: everything is on loopback, so the
 * addresses are too. getcallbackip is the token group's part. The check answers what WeChat
 * would see of a callback served on this machine.
 */
import { wxError } from '../../emulator/core.js';
import type { EmulatorPartFactory } from '../../emulator/part.js';
import { CHECK_ACTIONS, CHECK_OPERATORS, wechat } from './endpoints.js';

export const API_DOMAIN_IPS = ['127.0.0.1', '::1'];

export const part: EmulatorPartFactory = () => ({
  endpoints: [
    { ...wechat.apiDomainIp, token: 'global', answer: () => ({ ip_list: API_DOMAIN_IPS }) },
    {
      ...wechat.callbackCheck,
      token: 'global',
      answer: ({ body }) => {
        const action = CHECK_ACTIONS.find((value) => value === body.action);
        const operator = CHECK_OPERATORS.find((value) => value === body.check_operator);
        if (!action || !operator) return wxError(40035, 'invalid parameter');
        // DEFAULT lets WeChat pick the carrier by the callback's address.
        const carrier = operator === 'DEFAULT' ? 'CHINANET' : operator;
        return {
          dns: action === 'ping' ? [] : [{ ip: '127.0.0.1', real_operator: carrier }],
          ping: action === 'dns' ? [] : [{ ip: '127.0.0.1', from_operator: carrier, package_loss: '0%', time: '0.100ms' }],
        };
      },
    },
  ],
});
