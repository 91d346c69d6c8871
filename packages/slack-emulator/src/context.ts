/** State the request handlers share; one per running emulator. */
import { type AppState } from "./app-state.js";
import { type WorkspaceDirectory } from "./directory.js";
import { type MessageStore } from "./message-store.js";
import { type RateLimiter } from "./rate-limit.js";

export interface EmulatorContext {
  readonly directory: WorkspaceDirectory;
  readonly limiter: RateLimiter;
  readonly store: MessageStore;
  readonly app: AppState;
}
