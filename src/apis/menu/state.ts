/**
 * Each account's menus as the emulator keeps them: the default menu and the conditional
 * menus, each with its menuid. The simulated phone reads it to draw the menu a follower sees
 * and to find the button a tap refers to.
 */
import type { Audience, Follower } from '../../emulator/audience.js';
import type { MenuButton } from './rules.js';

export type { MenuButton } from './rules.js';

export interface MatchRule {
  tag_id?: string;
  sex?: string;
  country?: string;
  province?: string;
  city?: string;
  client_platform_type?: string;
  language?: string;
}

export interface StoredMenu {
  menuid: number;
  button: MenuButton[];
  /** Conditional menus only. */
  matchrule?: MatchRule;
}

interface AccountMenus {
  menu?: StoredMenu;
  /** Oldest first; matching goes from the newest. */
  conditional: StoredMenu[];
}

export class MenuState {
  private readonly accounts = new Map<string, AccountMenus>();
  private nextMenuId = 400_000_001;

  constructor(private readonly audience: Audience) {}

  /** The default menu (menu/create), or undefined when the account has none. */
  current(appId: string): StoredMenu | undefined {
    return this.accounts.get(appId)?.menu;
  }

  /** The conditional menus, oldest first. */
  conditional(appId: string): StoredMenu[] {
    return [...(this.accounts.get(appId)?.conditional ?? [])];
  }

  /** The menu this follower sees: the newest conditional menu whose rule matches, else the default. */
  forFollower(appId: string, openid: string): StoredMenu | undefined {
    const menus = this.accounts.get(appId);
    if (!menus?.menu) return undefined;
    const follower = this.audience.get(appId, openid);
    const match = follower && [...menus.conditional].reverse().find((menu) => matches(menu.matchrule!, follower));
    return match || menus.menu;
  }

  /** The button a tap at [top] or [top, sub] refers to, in the menu this follower sees (the default without openid). */
  buttonAt(appId: string, openid: string | undefined, top: number, sub?: number): MenuButton | undefined {
    const menu = openid === undefined ? this.current(appId) : this.forFollower(appId, openid);
    const parent = menu?.button[top];
    return sub === undefined ? parent : parent?.sub_button?.[sub];
  }

  setDefault(appId: string, button: MenuButton[]): StoredMenu {
    const menu = { menuid: this.nextMenuId++, button };
    this.of(appId).menu = menu;
    return menu;
  }

  addConditional(appId: string, button: MenuButton[], matchrule: MatchRule): StoredMenu {
    const menu = { menuid: this.nextMenuId++, button, matchrule };
    this.of(appId).conditional.push(menu);
    return menu;
  }

  /** False when no conditional menu has that id. */
  removeConditional(appId: string, menuid: number): boolean {
    const menus = this.of(appId);
    const before = menus.conditional.length;
    menus.conditional = menus.conditional.filter((menu) => menu.menuid !== menuid);
    return menus.conditional.length < before;
  }

  /** Removes the default and every conditional menu; false when there was none. */
  remove(appId: string): boolean {
    const had = this.accounts.get(appId)?.menu !== undefined;
    this.accounts.delete(appId);
    return had;
  }

  reset(): void {
    this.accounts.clear();
  }

  private of(appId: string): AccountMenus {
    let menus = this.accounts.get(appId);
    if (!menus) {
      menus = { conditional: [] };
      this.accounts.set(appId, menus);
    }
    return menus;
  }
}

/**
 * A rule matches when every field the emulator knows of the follower agrees: tag_id (one of the
 * follower's tags) and language. Followers here have no sex, region or platform, so those fields
 * are not compared.
 */
function matches(rule: MatchRule, follower: Follower): boolean {
  if (rule.tag_id !== undefined && rule.tag_id !== '' && !follower.tagIds.includes(Number(rule.tag_id))) return false;
  if (rule.language !== undefined && rule.language !== '' && rule.language !== follower.language) return false;
  return true;
}
