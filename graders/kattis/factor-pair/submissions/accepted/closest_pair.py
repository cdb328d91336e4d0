# The pair closest to the square root: another answer than the smallest factor's, just as right.
import math

n = int(input())
a = math.isqrt(n)
while n % a:
    a -= 1
print(n // a, a)
