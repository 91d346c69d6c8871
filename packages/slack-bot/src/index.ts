export const PACKAGE = "slack-bot";
