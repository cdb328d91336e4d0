// The package a Go source file declares: its first clause after any comments (the Go spec puts
// nothing else before it), read past // and /* */ comments so that no comment passes for it.

/** `main` for a file starting `package main`; null when the file does not start with a package clause. */
export function goPackageName(source: string): string | null {
  let text = source;
  for (;;) {
    text = text.trimStart();
    if (text.startsWith('//')) text = text.includes('\n') ? text.slice(text.indexOf('\n')) : '';
    else if (text.startsWith('/*')) text = text.includes('*/') ? text.slice(text.indexOf('*/') + 2) : '';
    else break;
  }
  return /^package[ \t]+([\p{L}_][\p{L}\p{Nd}_]*)/u.exec(text)?.[1] ?? null;
}
