/**
 * The file system calls core makes, as promises over Node's callback API.
 *
 * Why not `node:fs/promises`: importing it also loads Node's readline and file-watcher modules,
 * about ten internal modules compiled on every start of the CLI, for nothing (bench figure 5).
 * The callback API is loaded with Node itself.
 */
import { close, fstat, lstat, open, read, readFile, realpath, stat } from "node:fs";
import { promisify } from "node:util";

export const readTextFile = (path: string): Promise<string> => promisify(readFile)(path, "utf8");
export const openFile = promisify(open);
export const readFromFile = promisify(read);
export const closeFile = promisify(close);
export const fileSize = async (path: string): Promise<number> => (await promisify(stat)(path)).size;
export const fileStat = promisify(stat);
export const linkStat = promisify(lstat);
export const fdStat = promisify(fstat);
export const realPath = promisify(realpath);
