package main

func main() {
	spin := 0
	for {
		spin++
	}
}
