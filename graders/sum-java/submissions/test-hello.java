// The judge's case: a file whose name is no class name (a hyphen is not even allowed in one), its
// class Main not public, so javac takes it. The class that declares main runs, not the file's name.
import java.util.Scanner;

class Main {
  public static void main(String[] args) {
    Scanner in = new Scanner(System.in);
    int n = in.nextInt();
    long sum = 0;
    for (int i = 0; i < n; i++) sum += in.nextLong();
    System.out.println(sum);
  }
}
