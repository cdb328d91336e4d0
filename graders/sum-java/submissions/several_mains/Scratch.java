public class Scratch {
  public static void main(String[] args) {
    System.out.println("trying things out");
  }
}
