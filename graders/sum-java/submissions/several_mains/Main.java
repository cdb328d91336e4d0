// Two classes declare main: Main solves the task, Scratch was the student's experiment. Which one
// runs is the student's to say (the entry file); without it the submission is ambiguous.
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
