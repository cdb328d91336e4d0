// One file whose class lives in a package: it is compiled into the package tree and run by its
// qualified name, contest.sum.Solver.
package contest.sum;

import java.util.Scanner;

class Solver {
  public static void main(String... args) {
    Scanner in = new Scanner(System.in);
    int n = in.nextInt();
    long sum = 0;
    while (n-- > 0) sum += in.nextLong();
    System.out.println(sum);
  }
}
