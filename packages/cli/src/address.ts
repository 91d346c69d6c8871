import { type Destination, Secret } from "@socket-notify/core";

/**
 * Where a destination sends, for `validate`: the redacted form of each credential in its
 * address (`hooks.slack.com/services/T…/B…/****`, `$VAR (unset)`), never the value. Only
 * `Secret`s are shown: a plugin's other address fields may be anything.
 */
export function shownAddress(d: Pick<Destination, "address">): string | undefined {
  const a = d.address;
  if (a instanceof Secret) return a.redacted;
  if (!a || typeof a !== "object") return undefined;
  const shown = Object.values(a as Record<string, unknown>)
    .filter((v): v is Secret => v instanceof Secret)
    .map((s) => s.redacted);
  return shown.length ? shown.join(", ") : undefined;
}
