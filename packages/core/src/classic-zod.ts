/**
 * Classic zod, for plugins: `host.z`, and the classic copies of core's shared schemas
 * (`host.filterShape`, `host.secretValue`), which have the methods plugin code calls on them
 * (`.optional()`, `.meta()`…). core itself validates with zod/mini (zod.ts).
 *
 * Loaded on first need, not at import: a run with only the built-in notifiers never uses it,
 * and loading it was a visible part of a CLI start (bench figure 5). `resolveConfig` loads it
 * before it calls a plugin's `optionsSchema(host)` or when the config loads plugin modules.
 */
import { type z as ClassicZ, type ZodType } from "zod";
import { type FilterOptions, makeFilterShape, makeSecretSchemas, type SecretRef, type ZodBuilder } from "./config/schema.js";
import { importModule } from "./dynamic-import.js";
import { UserError } from "./errors.js";

export interface ClassicZod {
  z: typeof ClassicZ;
  filterShape: Readonly<Record<keyof FilterOptions, ZodType>>;
  secretValue: ZodType<string | SecretRef>;
}

let loaded: ClassicZod | undefined;

/** Load classic zod for plugins (once; later calls return at once). */
export async function loadClassicZod(): Promise<ClassicZod> {
  if (loaded) return loaded;
  // Through importModule: the CLI's bundle leaves classic zod out (its namespace objects alone
  // cost ~2 ms of every start) and loads it from node_modules. zod keeps its config and
  // registry on globalThis, so that copy and the bundle's zod/mini share both.
  const { z } = await importModule<typeof import("zod")>("zod");
  // Same shapes as core's, built with classic zod (its functions are zod/mini's, with more methods on what they return).
  const zb = z as unknown as ZodBuilder;
  loaded = {
    z,
    filterShape: makeFilterShape(zb) as unknown as ClassicZod["filterShape"],
    secretValue: makeSecretSchemas(zb).value as unknown as ClassicZod["secretValue"],
  };
  return loaded;
}

/** Classic zod, once loaded; a clear error for a plugin that reads `host.z` before it is. */
export function classicZod(member: string): ClassicZod {
  if (loaded) return loaded;
  throw new UserError("plugin_invalid", `host.${member} was read before socket-notify loaded zod for plugins`, {
    hint: "read host.z in optionsSchema(host) (declare it as a function) or later; code that builds a host itself: await loadClassicZod() first",
  });
}
