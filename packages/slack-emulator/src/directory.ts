/**
 * Lookups over a resolved workspace: channels by ID or name, tokens, hooks, membership.
 */
import { timingSafeEqual } from "node:crypto";
import {
  type ResolvedChannel,
  type ResolvedHook,
  type ResolvedToken,
  type ResolvedUser,
  type ResolvedUsergroup,
  type ResolvedWorkspace,
} from "./workspace.js";

/**
 * Which channels a name (rather than an ID) may find. chat.postMessage takes names only
 * for public channels (docs say to use IDs for private ones), conversations.info takes IDs.
 */
export type NameLookup = "public" | "any" | "none";

export class WorkspaceDirectory {
  private readonly channelsById = new Map<string, ResolvedChannel>();
  private readonly channelsByName = new Map<string, ResolvedChannel>();
  private readonly tokens = new Map<string, ResolvedToken>();
  private readonly hooksByName = new Map<string, ResolvedHook>();

  constructor(readonly workspace: ResolvedWorkspace) {
    for (const channel of workspace.channels) {
      this.channelsById.set(channel.id, channel);
      this.channelsByName.set(channel.name, channel);
    }
    for (const token of workspace.tokens) this.tokens.set(token.token, token);
    for (const hook of workspace.hooks) this.hooksByName.set(hook.name, hook);
  }

  get channels(): readonly ResolvedChannel[] {
    return this.workspace.channels;
  }

  channelById(id: string): ResolvedChannel | undefined {
    return this.channelsById.get(id);
  }

  /** An ID, or a name with or without `#` in any case (Slack names are lowercase). */
  resolveChannel(ref: string, names: NameLookup): ResolvedChannel | undefined {
    const byId = this.channelsById.get(ref);
    if (byId !== undefined || names === "none") return byId;
    const byName = this.channelsByName.get(ref.replace(/^#/, "").toLowerCase());
    if (byName === undefined) return undefined;
    return names === "any" || !byName.private ? byName : undefined;
  }

  token(value: string): ResolvedToken | undefined {
    return this.tokens.get(value);
  }

  hook(name: string): ResolvedHook | undefined {
    return this.hooksByName.get(name);
  }

  /** The hook a `/services/<team>/<hook>/<secret>` URL names, if team, ID and secret all match. */
  hookByPath(teamId: string, hookId: string, secret: string): ResolvedHook | undefined {
    if (teamId !== this.workspace.team.id) return undefined;
    const hook = this.workspace.hooks.find((h) => h.id === hookId);
    if (hook === undefined) return undefined;
    // Constant-time compare, as a real secret check would be.
    const expected = Buffer.from(hook.secret);
    const given = Buffer.from(secret);
    return expected.length === given.length && timingSafeEqual(expected, given) ? hook : undefined;
  }

  isMember(channel: ResolvedChannel, user: string): boolean {
    return channel.members.includes(user);
  }

  /** True when `value` is the app-level token (`xapp-…`). */
  isAppToken(value: string): boolean {
    return value === this.workspace.app.appToken;
  }

  /** A workspace user by ID or name. */
  user(ref: string): ResolvedUser | undefined {
    return this.workspace.users.find((u) => u.id === ref || u.name === ref);
  }

  /** The token whose bot user has this ID (users.info on a bot). */
  tokenByUserId(id: string): ResolvedToken | undefined {
    return this.workspace.tokens.find((t) => t.userId === id);
  }

  usergroup(ref: string): ResolvedUsergroup | undefined {
    return this.workspace.usergroups.find((g) => g.id === ref || g.handle === ref.replace(/^@/, ""));
  }

  /** Every token, hook secret, app token and signing secret: records must never contain them. */
  secrets(): string[] {
    const { app } = this.workspace;
    return [
      ...this.workspace.tokens.map((t) => t.token),
      ...this.workspace.hooks.map((h) => h.secret),
      app.appToken,
      app.signingSecret,
    ];
  }
}
