/**
 * core's own schemas are built with zod/mini: the same validation as classic zod, but its classes
 * carry a few methods instead of ~40, and installing those on each class's prototype the first
 * time it is built was most of what zod cost a CLI start (bench figure 5). Classic zod, which
 * plugins get as `host.z`, is loaded only when a plugin needs it (classic-zod.ts).
 *
 * Import it as `import * as z from "../zod.js"` and only read members (`z.string`): a namespace
 * used as a value (passed, spread, re-exported as one object) makes the bundle build zod's
 * namespace objects at start-up, ~1,000 getters.
 *
 * zod/mini sets no message locale of its own; like classic zod, use English unless the
 * application chose one.
 */
import { config } from "zod/mini";
// The one locale, not `z.locales` (which loads all ~50 when unbundled).
import en from "zod/v4/locales/en.js";

if (!config().localeError) config(en());

export * from "zod/mini";
