// The attack: javac reads a command-line word "@FILE" as a file of more arguments. Compiled as
// "javac ... Main.java @build.java build.java", the name "@build.java" makes javac read build.java
// as arguments: "-Xplugin:Payload -processorpath payload" asks javac to load a compiler plug-in
// from the submission's own classes and run it during the build (the class itself, a binary,
// is left out here). A source file may not be named so: the submission is a compile error that
// says which name and why.
import java.util.Scanner;

public class Main {
  public static void main(String[] args) {
    Scanner in = new Scanner(System.in);
    int n = in.nextInt();
    long sum = 0;
    for (int i = 0; i < n; i++) sum += in.nextLong();
    System.out.println(sum);
  }
}
