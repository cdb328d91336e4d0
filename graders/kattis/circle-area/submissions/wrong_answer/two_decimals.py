# Rounded to two decimals: 3.14 for a unit circle is off by more than the tolerance.
import math
import sys

words = sys.stdin.read().split()
for r in words[1:int(words[0]) + 1]:
    print(f"{math.pi * float(r) ** 2:.2f}")
