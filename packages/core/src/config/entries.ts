/**
 * A notifier's list of named destination entries under one config key (`discord_webhooks`,
 * `bot_configs`): the option declaration every such plugin writes the same way, once. The
 * schema half (`destinationListSchema`) is in the render kit for plugin authors; the checking
 * half is `PluginHost.namedEntries`.
 */
import { type $ZodType } from "zod/v4/core";
import * as z from "zod/mini";
import { type UserError } from "../errors.js";
import { described, type FilterOptions, filterShape } from "./schema.js";

type FilterKey = keyof typeof filterShape;

/**
 * The zod schema of a list of destination entries: optional, at least one entry when given,
 * each a strict object of the plugin's own keys (each `described`, for `socket-notify schema`)
 * and the filters every mode has, less any the notifier cannot honour (`without`).
 */
export function destinationListSchema<S extends Record<string, $ZodType>, W extends FilterKey = never>(
  shape: S,
  description: string,
  options: { without?: readonly W[] } = {},
) {
  const filters: Record<string, $ZodType> = { ...filterShape };
  for (const k of options.without ?? []) delete filters[k];
  const entry = z.strictObject({ ...shape, ...(filters as Omit<typeof filterShape, W>) });
  return z.optional(described(z.array(entry).check(z.minLength(1)), description));
}

/** One checked entry of a destination list (`PluginHost.namedEntries`). */
export interface NamedEntry<E> {
  entry: E;
  /** Its name: as given, else the default for its place. */
  name: string;
  /** Its JSON path in the config, `discord_webhooks[2]`, for errors. */
  path: string;
  /** Its filter keys (`pickFilter`). */
  filter: FilterOptions;
}

export interface NamedEntriesSpec {
  /** The config key, for errors: `discord_webhooks`. */
  key: string;
  /** The mode, for errors: `discord`. */
  mode: string;
  /** What an entry is, one and many, for errors: `webhook`, `webhooks`. */
  one: string;
  many: string;
  /** What the mode needs at least one of, when there is none: `webhook`, `entry in bot_configs`. */
  needs: string;
  /** An example entry list shown in the hint when there is none: `[{"name": "security", …}]`. */
  example: string;
  /** The name of an entry without one, at index `i` of `count`; default: names are required by the schema. */
  defaultName?: (i: number, count: number) => string;
}

/** The entries, checked: at least one, names unique; each with its name, path and filters. */
export function namedEntries<E extends { name?: string | undefined }>(
  list: readonly E[] | undefined,
  spec: NamedEntriesSpec,
  configError: (path: string, message: string, hint: string) => UserError,
  pickFilter: (entry: Record<string, unknown>) => FilterOptions,
): NamedEntry<E>[] {
  if (!list || list.length === 0)
    throw configError(
      spec.key,
      `${spec.mode} mode needs at least one ${spec.needs}`,
      `add "${spec.key}": ${spec.example}`,
    );
  const names = new Set<string>();
  return list.map((entry, i) => {
    const path = `${spec.key}[${i}]`;
    const name = entry.name ?? spec.defaultName?.(i, list.length) ?? `${spec.one}_${i}`;
    if (names.has(name))
      throw configError(`${path}.name`, `two ${spec.many} are named "${name}"`, `give each ${spec.one} its own name`);
    names.add(name);
    return { entry, name, path, filter: pickFilter(entry as Record<string, unknown>) };
  });
}
