package main

func main() { return missing_function( }
