package main

// cgo would run gcc with the flags below, chosen by the submission; the build has cgo off, so
// importing "C" is a compile error.
// #cgo CFLAGS: -fplugin=/box/plugin.so
// int six(void) { return 6; }
import "C"

import "fmt"

func main() { fmt.Println(C.six()) }
