package main

import (
	"fmt"
	"syscall"
)

// ptrace through the syscall package: outside every policy, so the run is a violation (SV).
func main() {
	syscall.Syscall(syscall.SYS_PTRACE, syscall.PTRACE_TRACEME, 0, 0)
	fmt.Println(6)
}
