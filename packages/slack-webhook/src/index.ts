export const PACKAGE = "slack-webhook";
