package main

import "fmt"

// Index out of range: the Go runtime panics and the program exits with status 2.
func main() {
	var values []int
	fmt.Println(values[3])
}
