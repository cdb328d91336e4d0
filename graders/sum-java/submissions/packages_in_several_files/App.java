// Several files, each in its own package: app.App reads, util.Adder adds.
package app;

import java.util.Scanner;
import util.Adder;

public class App {
  public static void main(String[] args) {
    Scanner in = new Scanner(System.in);
    int n = in.nextInt();
    Adder adder = new Adder();
    for (int i = 0; i < n; i++) adder.add(in.nextLong());
    System.out.println(adder.total());
  }
}
