export { blockHtml, escapeHtml, messageBodyHtml, mrkdwnHtml, nativeBodyHtml } from "./html.js";
export {
  type Chunk,
  decodeEntities,
  type Inline,
  type Line,
  parseInline,
  parseMrkdwn,
  plainText,
  safeHref,
} from "./mrkdwn.js";
export {
  groupsHtml,
  type PageOptions,
  pageCsp,
  type PreviewGroup,
  type PreviewMessage,
  type PreviewPageModel,
  renderPage,
} from "./page.js";
export { messageLines, mrkdwnLines, type Span, spansToTerminal } from "./terminal.js";
