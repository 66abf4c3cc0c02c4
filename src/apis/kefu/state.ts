/**
 * Each account's customer-service agents and the typing indicator per follower, as the
 * emulator keeps them. Readable by other emulator code (the simulated phone).
 */
import type { Clock } from '../../clock.js';

export interface KfAccount {
  kf_account: string;
  kf_nick: string;
  kf_id: string;
  kf_headimgurl: string;
  /** The WeChat user bound to the agent, once an invitation was accepted. */
  kf_wx?: string;
  invite_wx?: string;
  invite_expire_time?: number;
  invite_status?: 'waiting' | 'rejected' | 'expired';
}

/** WeChat's invitations to bind an agent last 7 days. */
const INVITE_TTL_S = 7 * 86_400;
/** The indicator shows this long unless cancelled (wechat-oa-api.md §5.2). */
export const TYPING_MS = 15_000;

export class KefuState {
  private readonly agents = new Map<string, Map<string, KfAccount>>();
  /** Until when "typing…" shows, by `${appId} ${openid}`. */
  private readonly typingUntil = new Map<string, number>();
  private nextId = 1001;

  constructor(private readonly clock: Clock) {}

  /** The account's agents, in the order they were added. */
  accounts(appId: string): KfAccount[] {
    return [...(this.agents.get(appId)?.values() ?? [])];
  }

  get(appId: string, kfAccount: string): KfAccount | undefined {
    return this.agents.get(appId)?.get(kfAccount);
  }

  add(appId: string, kfAccount: string, nickname: string): KfAccount {
    const agent: KfAccount = { kf_account: kfAccount, kf_nick: nickname, kf_id: String(this.nextId++), kf_headimgurl: '' };
    this.of(appId).set(kfAccount, agent);
    return agent;
  }

  remove(appId: string, kfAccount: string): boolean {
    return this.of(appId).delete(kfAccount);
  }

  invite(agent: KfAccount, inviteWx: string): void {
    agent.invite_wx = inviteWx;
    agent.invite_status = 'waiting';
    agent.invite_expire_time = Math.floor(this.clock.now() / 1000) + INVITE_TTL_S;
  }

  /** The invited WeChat user accepts: the agent is bound and online (what a phone would do). */
  acceptInvite(appId: string, kfAccount: string): boolean {
    const agent = this.get(appId, kfAccount);
    if (!agent?.invite_wx || agent.invite_status !== 'waiting') return false;
    agent.kf_wx = agent.invite_wx;
    delete agent.invite_wx;
    delete agent.invite_status;
    delete agent.invite_expire_time;
    return true;
  }

  /** Agents with a bound WeChat user count as online. */
  online(appId: string): KfAccount[] {
    return this.accounts(appId).filter((agent) => agent.kf_wx);
  }

  /** Whether "typing…" shows in this follower's chat now. */
  isTyping(appId: string, openid: string): boolean {
    return (this.typingUntil.get(`${appId} ${openid}`) ?? 0) > this.clock.now();
  }

  setTyping(appId: string, openid: string, on: boolean): void {
    const key = `${appId} ${openid}`;
    if (on) this.typingUntil.set(key, this.clock.now() + TYPING_MS);
    else this.typingUntil.delete(key);
  }

  reset(): void {
    this.agents.clear();
    this.typingUntil.clear();
  }

  private of(appId: string): Map<string, KfAccount> {
    let map = this.agents.get(appId);
    if (!map) {
      map = new Map();
      this.agents.set(appId, map);
    }
    return map;
  }
}
