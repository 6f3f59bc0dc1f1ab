// Colour for people, none for machines: chalk on a TTY, off with NO_COLOR or when piped.
import { Chalk } from "chalk";

export function makeChalk(stream: NodeJS.WriteStream) {
  const noColor = process.env.NO_COLOR !== undefined && process.env.NO_COLOR !== "";
  return new Chalk({ level: noColor || !stream.isTTY ? 0 : 1 });
}
