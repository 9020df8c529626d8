/**
 * The first and last N characters of a text that streams in pieces, in bounded memory: what the
 * report shows of an output (or of the answer inside Claude's stream-json) that may be gigabytes.
 */
export const PREVIEW_CHARS = 2000;

export class PreviewWindow {
  readonly #size: number;
  #head = '';
  #headFull = false;
  #tail = '';

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
    if (rest.length > 0) {
      const tail = (rest.length >= this.#size ? rest : this.#tail + rest).slice(-this.#size);
      this.#tail = isLowSurrogate(tail.charCodeAt(0)) ? tail.slice(1) : tail;
    }
  }

  /** The first characters. */
  get head(): string {
    return this.#head;
  }

  /** The last characters AFTER the head: empty when the whole text fits in the head. */
  get tail(): string {
    return this.#tail;
  }

  get empty(): boolean {
    return this.#head === '' && this.#tail === '';
  }
}

function isHighSurrogate(c: number): boolean {
  return c >= 0xd800 && c <= 0xdbff;
}

function isLowSurrogate(c: number): boolean {
  return c >= 0xdc00 && c <= 0xdfff;
}
