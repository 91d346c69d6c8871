export const PACKAGE = "core";
