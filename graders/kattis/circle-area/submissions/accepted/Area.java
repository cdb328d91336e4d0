import java.io.BufferedReader;
import java.io.InputStreamReader;

public class Area {
    public static void main(String[] args) throws Exception {
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in));
        int n = Integer.parseInt(in.readLine().trim());
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < n; i++) {
            double r = Double.parseDouble(in.readLine().trim());
            out.append(Math.PI * r * r).append('\n');
        }
        System.out.print(out);
    }
}
