/**
 * zod compiles a fast parser (`new Function`) for each object schema on its first parse. A CLI
 * run parses a config and a report once, so compiling costs more than it saves (bench figure 5),
 * and the generated code is not in the bundle's code cache. Results are the same either way.
 *
 * A module of its own, imported before anything that builds schemas: zod reads the setting when
 * a schema is built, not when it parses. The CLI owns the process, so it may set zod's global
 * config; library packages must not. (zod/mini and classic zod share this setting.)
 */
import { config } from "zod/mini";

config({ jitless: true });
