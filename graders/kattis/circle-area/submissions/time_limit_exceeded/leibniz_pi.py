# Works pi out anew for every circle with ten million terms of the Leibniz series: right to well
# within the tolerance, and far too slow.
import sys


def pi():
    return 4 * sum((-1) ** k / (2 * k + 1) for k in range(10 ** 7))


words = sys.stdin.read().split()
print("\n".join(str(pi() * float(r) ** 2) for r in words[1:int(words[0]) + 1]))
