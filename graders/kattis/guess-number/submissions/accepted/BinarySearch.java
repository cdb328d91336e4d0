import java.io.BufferedReader;
import java.io.InputStreamReader;

public class BinarySearch {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        long low = 1, high = Long.parseLong(in.readLine().trim());
        while (true) {
            long guess = low + (high - low) / 2;
            System.out.println(guess);
            System.out.flush();
            String answer = in.readLine();
            if (answer == null || answer.equals("correct")) break;
            if (answer.equals("higher")) low = guess + 1; else high = guess - 1;
        }
    }
}
