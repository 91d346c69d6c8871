import { Secret } from "@socket-notify/core";
import { StateError } from "./errors.js";
import { FileStore, type StoreOptions } from "./FileStore.js";
import { type StateStore } from "./types.js";

/** A `postgres://` or `postgresql://` URL selects PostgreSQL; anything else is a file path. */
export function isDatabaseUrl(location: string): boolean {
  return /^postgres(ql)?:\/\//i.test(location.trim());
}

/**
 * Opens the store that `state` (config) or `SOCKET_NOTIFY_STATE` names. A URL may hold a
 * password: pass it as a Secret; errors and `location` never show it.
 */
export async function openStateStore(location: string | Secret, options: StoreOptions = {}): Promise<StateStore> {
  const value = location instanceof Secret ? location.reveal() : location;
  if (!value.trim())
    throw new StateError("state_unusable", "state: empty", { hint: "give a file path or a postgres:// URL" });
  if (isDatabaseUrl(value)) {
    // Loaded only for a database URL: `pg` is not part of the start-up of a run without one.
    const { PostgresStore } = await import("./PostgresStore.js");
    return PostgresStore.open(value, options);
  }
  return FileStore.open(value, options);
}
