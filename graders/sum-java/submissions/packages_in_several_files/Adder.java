package util;

public class Adder {
  private long total;

  public void add(long value) {
    total += value;
  }

  public long total() {
    return total;
  }
}
