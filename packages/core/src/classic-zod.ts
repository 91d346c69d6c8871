/**
 * Classic zod, for plugins: `host.z`, and the classic copies of core's shared schemas
 * (`host.filterShape`, `host.secretValue`), which have the methods plugin code calls on them
 * (`.optional()`, `.meta()`…). core itself validates with zod/mini (zod.ts).
 *
 * Loaded on first need, not at import: a run with only the built-in notifiers never uses it,
 * and loading it was a visible part of a CLI start (bench figure 5). `resolveConfig` loads it
 * before any plugin sees the host, unless every notifier in play declares a zod/mini options
 * schema (the built-in ones: they import what they need and never read `host.z`).
 */
import { type $strict } from "zod/v4/core";
import {
  type z as ClassicZ,
  type ZodArray,
  type ZodBoolean,
  type ZodEnum,
  type ZodNumber,
  type ZodObject,
  type ZodOptional,
  type ZodString,
  type ZodUnion,
} from "zod";
import { type FilterOptions, makeFilterShape, makeSecretSchemas, type ZodBuilder } from "./config/schema.js";
import { importModule } from "./dynamic-import.js";
import { UserError } from "./errors.js";

/** `host.filterShape`: core's per-destination filters as classic zod, typed key by key. */
export type ClassicFilterShape = {
  repos: ZodOptional<ZodArray<ZodString>>;
  severities: ZodOptional<ZodArray<ZodString>>;
  min_severity: ZodOptional<ZodString>;
  alert_types: ZodOptional<ZodArray<ZodString>>;
  exclude_alert_types: ZodOptional<ZodArray<ZodString>>;
  levels: ZodOptional<ZodArray<ZodEnum<{ block: "block"; warn: "warn" }>>>;
  reachability_alerts_only: ZodOptional<ZodBoolean>;
  always_send_reachability: ZodOptional<ZodBoolean>;
  max_messages: ZodOptional<ZodNumber>;
  mention: ZodOptional<ZodArray<ZodString>>;
  mention_min_severity: ZodOptional<ZodString>;
  notify: ZodOptional<ZodEnum<{ changes: "changes"; always: "always" }>>;
};
// Compile-time check that the type above describes what makeFilterShape builds: same keys, same parsed values.
type Same<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;
const filterShapeTypeMatches: Same<ClassicZ.output<ZodObject<ClassicFilterShape>>, FilterOptions> &
  Same<keyof ClassicFilterShape, keyof ReturnType<typeof makeFilterShape>> = true;
void filterShapeTypeMatches;

export interface ClassicZod {
  z: typeof ClassicZ;
  filterShape: Readonly<ClassicFilterShape>;
  secretValue: ZodUnion<readonly [ZodString, ZodObject<{ env: ZodString }, $strict>]>;
}

let loaded: ClassicZod | undefined;
let loading: Promise<ClassicZod> | undefined;

/** Load classic zod for plugins (once: concurrent and later calls get the same). */
export function loadClassicZod(): Promise<ClassicZod> {
  return (loading ??= load());
}

async function load(): Promise<ClassicZod> {
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
    hint: "socket-notify loads it for plugins before they get the host (not when every notifier's optionsSchema is zod/mini); code that builds or reads a host itself: await loadClassicZod() first",
  });
}
