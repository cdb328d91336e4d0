# Never reads an answer: says every number from 1 up, as fast as it can.
import sys

n = int(sys.stdin.readline())
for guess in range(1, n + 1):
    sys.stdout.write(f"{guess}\n")
