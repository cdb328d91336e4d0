// Kotlin, not Java: no .java file to compile.
fun main() {
    val n = readLine()!!.trim().toInt()
    println(readLine()!!.trim().split(" ").take(n).sumOf { it.toLong() })
}
