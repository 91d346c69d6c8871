export const PACKAGE = "slack-emulator";
