import { SocketNotifyError } from "@socket-notify/core";
import { type ErrorDetails } from "@socket-notify/core/internal";

export type StateErrorCode =
  /** The store cannot be opened or read: missing directory, bad JSON, refused connection. */
  | "state_unusable"
  /** The store was written by a newer socket-notify (a schema this version does not know). */
  | "state_newer_version"
  /** A document given to `state import` is not a state export. */
  | "state_invalid"
  /** Another run holds a lock for longer than we may wait. */
  | "state_locked";

/** A problem with the state store: exit code 2, one line, a hint. Never contains a password. */
export class StateError extends SocketNotifyError {
  readonly exitCode = 2 as const;
  constructor(
    readonly code: StateErrorCode,
    message: string,
    details: ErrorDetails = {},
  ) {
    super(message, details);
  }
}
