/**
 * The file system calls the CLI makes, as promises over Node's callback API: importing
 * `node:fs/promises` also loads Node's readline and file-watcher modules on every start (bench
 * figure 5; core's fs-async.ts does the same for core).
 */
import {
  appendFile as appendFileCb,
  mkdir as mkdirCb,
  readFile,
  stat as statCb,
  writeFile as writeFileCb,
} from "node:fs";
import { promisify } from "node:util";

export const readTextFile = (path: string): Promise<string> => promisify(readFile)(path, "utf8");
export const writeFile = (path: string, text: string): Promise<void> => promisify(writeFileCb)(path, text);
export const appendFile = (path: string, text: string): Promise<void> => promisify(appendFileCb)(path, text);
/** `mkdir -p`. */
export const mkdir = (path: string): Promise<string | undefined> => promisify(mkdirCb)(path, { recursive: true });
export const stat = promisify(statCb);
