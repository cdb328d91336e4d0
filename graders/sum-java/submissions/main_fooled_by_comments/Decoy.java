// Every main in this file is in a comment, a string, a text block or a character literal: none of
// them is a declaration, so the only class that declares main is Sum, in the other file.
class Decoy {
  // public static void main(String[] args) { System.out.println("comment"); }
  /* public static void main(String[] args) { } */
  static final String LINE = "public static void main(String[] args) {";
  static final String BLOCK = """
      } class Fake { public static void main(String[] args) { }
      """;
  static final char BRACE = '}';
  /** Backslash pairs are not unicode escapes: "\\u0022" stays a backslash, u and four digits. */
  static final String NOT_AN_ESCAPE = "\\u0022 public static void main(String[] args) {";
}
