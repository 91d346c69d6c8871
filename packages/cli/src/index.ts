export { main, scanContext } from "./main.js";
export { BUILTIN_PLUGINS } from "./builtins.js";
export { type CliIO, oneLine, Output, terminalSafe } from "./io.js";
export { contextFromCiEnv, repoFromUrl } from "./ci-env.js";
