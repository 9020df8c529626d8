/**
 * Deterministic prose for the simulator: a seeded PRNG over a small vocabulary, with the
 * `--include` phrases and `--topic` words guaranteed to appear so expected patterns can match.
 * The same options always give the same text, so tests and demo runs are reproducible.
 */
import { seededRandom as prng } from '../seeded-random.ts';


export { prng };

const VOCABULARY = (
  'the a system design code test service request response data model stream output process ' +
  'handle error value state queue worker latency throughput memory buffer line event client server ' +
  'build deploy review check measure improve simple robust clear small large fast slow careful ' +
  'function module interface contract config schedule report metric trace span log budget limit ' +
  'and or but with without for from into over under between because while when then so also ' +
  'is are was keeps runs makes uses needs gives takes sends reads writes waits starts stops ' +
  'every each one two many most some first last next same other new old good better clear'
).split(/\s+/);

export interface TextOptions {
  words: number;
  seed: number;
  /** Words that recur often, giving the text a subject. */
  topic: readonly string[];
  /** Phrases that must each appear at least once (patterns a test expects). */
  include: readonly string[];
}

/** Returns the text as a list of words (a multi-word include phrase counts as one entry), at least `include.length` long. */
export function generateWords(opts: TextOptions): string[] {
  const rand = prng(opts.seed);
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)] as T;
  const count = Math.max(opts.words, opts.include.length);
  const words: string[] = [];
  for (let i = 0; i < count; i++) {
    words.push(opts.topic.length > 0 && rand() < 0.12 ? pick(opts.topic) : pick(VOCABULARY));
  }
  // Spread the required phrases evenly so patterns complete at different points of the stream.
  const exact = new Set<number>();
  opts.include.forEach((phrase, k) => {
    const at = Math.min(count - 1, Math.floor(((k + 0.5) * count) / opts.include.length));
    words[at] = phrase;
    exact.add(at);
  });
  return punctuate(words, rand, exact);
}

/** Sentences of 6–15 words with a capital and a full stop; a blank line every few sentences. */
/** Required phrases (`exact`) keep their case: a pattern may be case-sensitive. */
function punctuate(words: string[], rand: () => number, exact: ReadonlySet<number>): string[] {
  const out: string[] = [];
  let inSentence = 0;
  let sentenceLength = 6 + Math.floor(rand() * 10);
  let sentences = 0;
  for (let i = 0; i < words.length; i++) {
    let w = words[i] as string;
    if (inSentence === 0 && !exact.has(i)) w = w.charAt(0).toUpperCase() + w.slice(1);
    inSentence++;
    const last = i === words.length - 1;
    if (inSentence >= sentenceLength || last) {
      w += '.';
      inSentence = 0;
      sentenceLength = 6 + Math.floor(rand() * 10);
      sentences++;
      if (sentences % 4 === 0 && !last) w += '\n\n';
    }
    out.push(w);
  }
  return out;
}

/** Splits words into the text blocks of successive assistant lines; joining the blocks gives the whole text. */
export function chunkText(words: readonly string[], wordsPerLine: number): string[] {
  const chunks: string[] = [];
  for (let i = 0; i < words.length; i += wordsPerLine) {
    const part = words.slice(i, i + wordsPerLine);
    const isLast = i + wordsPerLine >= words.length;
    chunks.push(part.map((w, j) => (w.endsWith('\n') || (isLast && j === part.length - 1) ? w : `${w} `)).join(''));
  }
  return chunks;
}

/** A UUID-shaped id drawn from the PRNG, so session ids are stable per seed. */
export function fakeUuid(rand: () => number): string {
  const hex = Array.from({ length: 32 }, () => Math.floor(rand() * 16).toString(16)).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-a${hex.slice(17, 20)}-${hex.slice(20, 32)}`;
}

export function fakeMessageId(rand: () => number): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  return `msg_01${Array.from({ length: 22 }, () => alphabet[Math.floor(rand() * alphabet.length)]).join('')}`;
}
