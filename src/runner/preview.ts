/**
 * The first and last N characters of a text that streams in pieces, in bounded memory: what the
 * report shows of an output (or of the answer inside Claude's stream-json) that may be gigabytes.
 */
export const PREVIEW_CHARS = 2000;

export class PreviewWindow {
  readonly #size: number;
  #head = '';
  #headFull = false;
  /**
   * The tail's pieces, oldest first, no longer than needed to hold its last `size` characters:
   * joined only when read, so a push per line copies nothing (a string cut per line allocated a
   * whole window's copy for every line of output).
   */
  #pieces: string[] = [];
  #piecesLength = 0;
  #tail: string | null = '';

  constructor(size = PREVIEW_CHARS) {
    this.#size = size;
  }

  /** Cuts never split a surrogate pair (a lone half would be written out as U+FFFD): a side may hold one unit less. */
  push(text: string): void {
    let rest = text;
    if (!this.#headFull) {
      let room = this.#size - this.#head.length;
      if (room < rest.length) {
        if (room > 0 && isHighSurrogate(rest.charCodeAt(room - 1))) room--;
        this.#headFull = true;
      }
      this.#head += rest.slice(0, room);
      rest = rest.slice(room);
    }
    if (rest.length === 0) return;
    if (rest.length >= this.#size) {
      this.#pieces = [rest.slice(-this.#size)];
      this.#piecesLength = this.#size;
    } else {
      this.#pieces.push(rest);
      this.#piecesLength += rest.length;
      // Drop the oldest pieces the window no longer reaches.
      while (this.#piecesLength - (this.#pieces[0] as string).length >= this.#size) this.#piecesLength -= (this.#pieces.shift() as string).length;
    }
    this.#tail = null;
  }

  /** The first characters. */
  get head(): string {
    return this.#head;
  }

  /** The last characters AFTER the head: empty when the whole text fits in the head. */
  get tail(): string {
    if (this.#tail === null) {
      const tail = this.#pieces.join('').slice(-this.#size);
      this.#tail = isLowSurrogate(tail.charCodeAt(0)) ? tail.slice(1) : tail;
    }
    return this.#tail;
  }

  get empty(): boolean {
    return this.#head === '' && this.#piecesLength === 0;
  }
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
