// not text: ÿþ a Latin-1 byte and a stray one
class Sum { public static void main(String[] a) { System.out.println("café"); } }
