import math
import sys

words = sys.stdin.read().split()
n = int(words[0])
print("\n".join(str(math.pi * float(r) ** 2) for r in words[1:n + 1]))
