// Reading a Java source's package and main classes, and a Go file's package, past what must not fool
// them: comments, strings, text blocks, character literals, escaped backslashes; and unicode escapes,
// which javac translates before anything else (a \u000a ends a // comment). Each case is checked
// against what javac and the JVM do (the sum-java fixtures run the interesting ones for real).
import { test } from 'uvu';
import * as assert from 'uvu/assert';

import { goPackageName } from '../../services/grading/languages/go-source.js';
import { javaDeclarations, javaTokens, translateUnicodeEscapes } from '../../services/grading/languages/java-source.js';

const MAIN = 'public static void main(String[] args) {}';

test('the class that declares main, in its package, whatever the file or the spacing', () => {
  assert.equal(javaDeclarations(`public class Sum { ${MAIN} }`), { packageName: null, mainClasses: ['Sum'] });
  assert.equal(javaDeclarations('/* header */ package contest . sum;\nimport java.util.*;\nclass Main { static public void main(final String args[]) throws Exception {} }'),
    { packageName: 'contest.sum', mainClasses: ['Main'] });
  assert.equal(javaDeclarations('class A { public static final void main(java.lang.String... a) {} }').mainClasses, ['A']);
  assert.equal(javaDeclarations(`@SuppressWarnings({"x"}) class A { @Deprecated(since = "1") public static void main(@SuppressWarnings("u") String[] a) {} }`).mainClasses, ['A']);
  assert.equal(javaDeclarations(`interface I { static void main(String[] a) {} } record R(int x) { ${MAIN} } enum E { X; ${MAIN} }`).mainClasses, ['I', 'R', 'E']);
  assert.equal(javaDeclarations(`class A { ${MAIN} } class B { ${MAIN} }`).mainClasses, ['A', 'B']);
});

test('what is not the program\'s entry: other signatures, nested classes, enum constant bodies', () => {
  const wrong = [
    'public void main(String[] a) {}', 'static void main(String[] a) {}', 'public static int main(String[] a) { return 0; }',
    'public static void main(String a) {}', 'public static void main(String[][] a) {}', 'public static void main(String[] a, int b) {}',
    'public static void main() {}', 'public static void Main(String[] a) {}', 'public static native void main(String[] a);',
  ];
  for (const method of wrong) assert.equal(javaDeclarations(`class A { ${method} }`).mainClasses, [], method);
  assert.equal(javaDeclarations(`interface I { private static void main(String[] a) {} }`).mainClasses, []);
  assert.equal(javaDeclarations(`class Outer { static class Inner { ${MAIN} } }`).mainClasses, []);
  assert.equal(javaDeclarations(`enum E { X { ${MAIN} }; }`).mainClasses, []);
  assert.equal(javaDeclarations(`@interface Marker { } class A { }`).mainClasses, []);
});

test('comments, strings, text blocks and character literals never pass for code', () => {
  const decoys = [
    `// ${MAIN}`, `/* ${MAIN} */`, `/** } class Fake { ${MAIN} */`, `String s = "} class Fake { ${MAIN}";`,
    `String t = """\n  } class Fake { ${MAIN}\n  """;`, "char c = '}';", `String e = "\\" } class Fake { ${MAIN}";`, "char q = '\\'';",
  ];
  for (const decoy of decoys) {
    assert.equal(javaDeclarations(`class Decoy { ${decoy}\n }\nclass Real { ${MAIN} }`).mainClasses, ['Real'], decoy);
  }
  assert.equal(javaDeclarations('package /* not.this */ real.pkg; // package fake;\nclass A {}').packageName, 'real.pkg');
});

test('unicode escapes are translated first, as javac does; an escaped backslash is not one', () => {
  assert.is(translateUnicodeEscapes('\\u0070ublic \\uuu0041'), 'public A');
  assert.is(translateUnicodeEscapes('"\\\\u0022"'), '"\\\\u0022"', 'two backslashes: no escape');
  assert.is(translateUnicodeEscapes('\\\\\\u0041'), '\\\\A', 'three: the last one escapes');
  assert.equal(javaDeclarations('class A { \\u0070ublic static void main(String[] a) {} }').mainClasses, ['A']);
  // javac reads this main as code: the escaped line feed ends the comment.
  assert.equal(javaDeclarations(`class B { // \\u000a ${MAIN}\n }`).mainClasses, ['B']);
  assert.equal(javaDeclarations(`class C { String s = "\\\\u0022; ${MAIN} //"; }`).mainClasses, []);
});

test('tokens: words (with unicode letters), ... and symbols; one opaque token per literal; an unclosed one ends the text', () => {
  assert.equal(javaTokens('Größe... x["a\\"b"]'), ['Größe', '...', 'x', '[', '"…"', ']']);
  assert.equal(javaTokens('a /* open comment'), ['a']);
  assert.equal(javaTokens('s = "open string\nnext'), ['s', '=', '"…"', 'next']);
});

test('a Go file\'s package clause, past comments', () => {
  assert.is(goPackageName('package main\n'), 'main');
  assert.is(goPackageName('// Package doc.\n/* block\n package fake */\n\npackage   sum // trailing\n'), 'sum');
  assert.is(goPackageName('// package main\npackage lib'), 'lib');
  assert.is(goPackageName('func main() {}'), null);
  assert.is(goPackageName('/* unclosed package main'), null);
});

test.run();
