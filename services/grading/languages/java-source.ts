// What gradebox must know of a Java source file to run it: its package and which of its top-level
// classes declare `public static void main(String[] args)`. A small tokenizer first drops comments
// and replaces string, text-block and character literals by one opaque token, after translating
// unicode escapes as javac does before anything else (JLS 3.3), so no comment or string passes for
// a declaration and no escaped one hides. It is not a parser: what it does not understand, javac
// judges (a file that does not compile is a compile error before its main is looked for).

export interface JavaDeclarations {
  /** `a.b` for `package a.b;`; null in the unnamed package. */
  packageName: string | null;
  /** Simple names of the top-level classes, interfaces, enums and records that declare main. */
  mainClasses: string[];
}

/** Every string, text block or character literal becomes this token: it matches nothing. */
const LITERAL = '"…"';
const WORD = /[\p{L}\p{Nl}_$][\p{L}\p{Nl}\p{Mn}\p{Mc}\p{Nd}\p{Pc}_$]*|[0-9][\p{L}\p{Nd}_.]*/uy;
const TYPE_KEYWORDS = new Set(['class', 'interface', 'enum', 'record']);
const isWord = (token: string | undefined): token is string => token !== undefined && /^[\p{L}\p{Nl}_$]/u.test(token);

/** `\uXXXX` (any number of u's) becomes its character, unless its backslash is itself escaped (an even run of backslashes). */
export function translateUnicodeEscapes(source: string): string {
  return source.replace(/(\\+)u+([0-9a-fA-F]{4})/g, (match, slashes: string, hex: string) =>
    (slashes.length % 2 === 1 ? `${'\\'.repeat(slashes.length - 1)}${String.fromCharCode(parseInt(hex, 16))}` : match));
}

/** Where the literal opened at `from` (just after its opening `quote`) ends: after its closing quote, or at the end of the line or text. */
function literalEnd(source: string, quote: string, from: number): number {
  let at = from;
  while (at < source.length) {
    if (source[at] === '\\') at += 2;
    else if (source.startsWith(quote, at)) return at + quote.length;
    else if (quote.length === 1 && source[at] === '\n') return at;
    else at += 1;
  }
  return source.length;
}

/** The tokens of a Java source: words (identifiers, keywords, numbers), `...`, single symbols and LITERAL. */
export function javaTokens(source: string): string[] {
  const text = translateUnicodeEscapes(source);
  const tokens: string[] = [];
  let at = 0;
  while (at < text.length) {
    const rest = text.slice(at, at + 3);
    if (/^\s/.test(rest)) at += 1;
    else if (rest.startsWith('//')) at = text.includes('\n', at) ? text.indexOf('\n', at) : text.length;
    else if (rest.startsWith('/*')) at = text.includes('*/', at + 2) ? text.indexOf('*/', at + 2) + 2 : text.length;
    else if (rest === '"""' || rest[0] === '"' || rest[0] === "'") {
      const quote = rest === '"""' ? '"""' : rest[0]!;
      at = literalEnd(text, quote, at + quote.length);
      tokens.push(LITERAL);
    } else if (rest === '...') {
      tokens.push('...');
      at += 3;
    } else {
      WORD.lastIndex = at;
      const word = WORD.exec(text)?.[0] ?? text[at]!;
      tokens.push(word);
      at += word.length;
    }
  }
  return tokens;
}

/** The index just after the `close` that balances the `open` at `start`. */
function balanced(tokens: readonly string[], start: number, open: string, close: string): number {
  let depth = 0;
  for (let at = start; at < tokens.length; at += 1) {
    if (tokens[at] === open) depth += 1;
    else if (tokens[at] === close && --depth === 0) return at + 1;
  }
  return tokens.length;
}

/** The tokens without annotations (`@A`, `@a.B(x = 1)`) and `final`. */
function withoutAnnotations(tokens: readonly string[]): string[] {
  const kept: string[] = [];
  for (let at = 0; at < tokens.length; at += 1) {
    if (tokens[at] === '@' && tokens[at + 1] !== 'interface') {
      at += 1;
      while (tokens[at + 1] === '.' && isWord(tokens[at + 2])) at += 2;
      if (tokens[at + 1] === '(') at = balanced(tokens, at + 1, '(', ')') - 1;
    } else if (tokens[at] !== 'final') kept.push(tokens[at]!);
  }
  return kept;
}

/** `String[] a`, `String... a`, `String a[]`, with String or java.lang.String. */
function isStringArrayParameter(parameter: readonly string[]): boolean {
  const tokens = withoutAnnotations(parameter);
  const qualified = tokens.slice(0, 5).join('') === 'java.lang.String';
  const [type, a, b, c, ...more] = qualified ? tokens.slice(4) : tokens;
  if (type !== 'String' || more.length > 0) return false;
  if (a === '...') return isWord(b) && c === undefined;
  return (a === '[' && b === ']' && isWord(c)) || (isWord(a) && b === '[' && c === ']');
}

/**
 * Whether `main` at `at` (in a top-level type's body) declares the program's entry: `void` before
 * it, public (implicit in an interface) and static among the modifiers before that, one String
 * array parameter, and a body after it.
 */
function declaresMain(tokens: readonly string[], at: number, kind: string): boolean {
  if (tokens[at - 1] !== 'void' || tokens[at + 1] !== '(') return false;
  let start = at - 2;
  while (start >= 0 && !['{', '}', ';'].includes(tokens[start]!)) start -= 1;
  const modifiers = new Set(withoutAnnotations(tokens.slice(start + 1, at - 1)));
  const isPublic = modifiers.has('public') || (kind === 'interface' && !modifiers.has('private'));
  const close = balanced(tokens, at + 1, '(', ')');
  const hasBody = tokens[close] === '{' || tokens[close] === 'throws';
  return isPublic && modifiers.has('static') && hasBody && isStringArrayParameter(tokens.slice(at + 2, close - 1));
}

/** `a . b . c ;` from `at` → `a.b.c`. */
function qualifiedName(tokens: readonly string[], at: number): string {
  const parts: string[] = [];
  for (let i = at; i < tokens.length && tokens[i] !== ';'; i += 1) parts.push(tokens[i]!);
  return parts.join('');
}

export function javaDeclarations(source: string): JavaDeclarations {
  const tokens = javaTokens(source);
  let packageName: string | null = null;
  const mainClasses: string[] = [];
  let depth = 0;
  let declared: { name: string; kind: string } | null = null;
  let inside: { name: string; kind: string } | null = null;
  tokens.forEach((token, at) => {
    if (token === '{') {
      depth += 1;
      if (depth === 1) [inside, declared] = [declared, null];
    } else if (token === '}') {
      depth = Math.max(0, depth - 1);
      if (depth === 0) inside = null;
    } else if (depth === 0 && token === 'package' && packageName === null) {
      packageName = qualifiedName(tokens, at + 1);
    } else if (depth === 0 && TYPE_KEYWORDS.has(token) && tokens[at - 1] !== '@' && tokens[at - 1] !== '.' && isWord(tokens[at + 1])) {
      declared = { name: tokens[at + 1]!, kind: token };
    } else if (depth === 1 && inside && token === 'main' && declaresMain(tokens, at, inside.kind) && !mainClasses.includes(inside.name)) {
      mainClasses.push(inside.name);
    }
  });
  return { packageName, mainClasses };
}
