/**
 * Where each value of a (valid) JSON text starts, by JSON path, as line:column: a problem names the
 * line an editor jumps to. An object member is found at its key, an array element at its value.
 */
import { lineColumn } from './json-position.ts';
import { jsonPath } from './schema.ts';

export interface TextPosition {
  line: number;
  column: number;
}

/** Offsets by JSON path (`$.tests[0].id`) of every key and element; the text must be JSON that parses. */
function offsets(text: string): Map<string, number> {
  const out = new Map<string, number>();
  let i = 0;
  const ws = () => {
    while (i < text.length && ' \t\n\r'.includes(text[i] as string)) i++;
  };
  const string = (): string => {
    const start = i++;
    while (i < text.length && text[i] !== '"') i += text[i] === '\\' ? 2 : 1;
    i++;
    return JSON.parse(text.slice(start, i)) as string;
  };
  const value = (path: (string | number)[]): void => {
    ws();
    const c = text[i];
    if (c === '{' || c === '[') {
      const close = c === '{' ? '}' : ']';
      i++;
      ws();
      for (let n = 0; text[i] !== close && i < text.length; n++) {
        ws();
        if (c === '{') {
          const at = i;
          const key = string();
          out.set(jsonPath([...path, key]), at);
          ws();
          i++; // ':'
          value([...path, key]);
        } else {
          ws();
          out.set(jsonPath([...path, n]), i);
          value([...path, n]);
        }
        ws();
        if (text[i] === ',') i++;
        ws();
      }
      i++;
      return;
    }
    if (c === '"') return void string();
    const m = /^[^\s,\]}]+/.exec(text.slice(i, i + 64));
    i += m ? m[0].length : 1;
  };
  ws();
  out.set('$', i);
  value([]);
  return out;
}

/** A locator for paths of `text`: the position of the path, else of its nearest ancestor that is in the file. */
export function jsonLocator(text: string): (path: readonly PropertyKey[]) => TextPosition {
  const table = offsets(text);
  return (path) => {
    for (let n = path.length; n >= 0; n--) {
      const at = table.get(jsonPath(path.slice(0, n)));
      if (at !== undefined) return lineColumn(text, at);
    }
    return { line: 1, column: 1 };
  };
}
