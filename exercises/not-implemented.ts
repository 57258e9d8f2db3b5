/**
 * The error every untouched exercise stub throws. The graders (`npm test`) recognise it and report
 * the exercise as *pending* (skipped, with the file to open) instead of failed.
 *
 * Remove the `throw new NotImplementedError(...)` line when you write your solution.
 *
 * @example
 * throw new NotImplementedError("00.1 ping-pong", "exercises/00-getting-started/ping-pong.ts");
 * // NotImplementedError: Exercise 00.1 (ping-pong) is not implemented yet: open exercises/00-getting-started/ping-pong.ts
 */
export class NotImplementedError extends Error {
  /** The exercise id, e.g. `"00.1"`. */
  readonly exercise: string;
  /** The exercise's short title, e.g. `"ping-pong"`. */
  readonly title: string;
  /** The file to open, relative to the repository root. */
  readonly file: string;

  /**
   * @param exercise the id and title, separated by the first space: `"00.1 ping-pong"`
   * @param file the stub's path from the repository root
   */
  constructor(exercise: string, file: string) {
    const space = exercise.indexOf(" ");
    const id = space < 0 ? exercise : exercise.slice(0, space);
    const title = space < 0 ? "" : exercise.slice(space + 1).trim();
    super(`Exercise ${id}${title ? ` (${title})` : ""} is not implemented yet: open ${file}`);
    this.name = "NotImplementedError";
    this.exercise = id;
    this.title = title;
    this.file = file;
  }
}
