/**
 * The first and last N characters of a text that streams in pieces, in bounded memory: what the
 * report shows of an output (or of the answer inside Claude's stream-json) that may be gigabytes.
 */
export const PREVIEW_CHARS = 2000;

export class PreviewWindow {
  readonly #size: number;
  #head = '';
  #tail = '';

  constructor(size = PREVIEW_CHARS) {
    this.#size = size;
  }

  push(text: string): void {
    let rest = text;
    if (this.#head.length < this.#size) {
      const room = this.#size - this.#head.length;
      this.#head += rest.slice(0, room);
      rest = rest.slice(room);
    }
    if (rest.length > 0) this.#tail = (rest.length >= this.#size ? rest : this.#tail + rest).slice(-this.#size);
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
    return this.#head === '';
  }
}
