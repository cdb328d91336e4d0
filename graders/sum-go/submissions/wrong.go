package main

// Overflows on the large test: int32 instead of int64.
import "fmt"

func main() {
	var n int
	fmt.Scan(&n)
	var sum int32
	for i := 0; i < n; i++ {
		var x int32
		fmt.Scan(&x)
		sum += x
	}
	fmt.Println(sum)
}
