// A public class must live in a file of its name (JLS 7.6); javac says so, and that is the student's
// compile error, with javac's own words as feedback. (gradebox does not rename the student's files.)
public class Main {
  public static void main(String[] args) {
    System.out.println(new java.util.Scanner(System.in).nextInt());
  }
}
