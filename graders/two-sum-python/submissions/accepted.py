# Finds a pair from the right end: a different pair than the reference answer, still right.
import sys

data = sys.stdin.read().split()
n, target = int(data[0]), int(data[1])
values = [int(x) for x in data[2:2 + n]]
seen = {}
for j in range(n - 1, -1, -1):
    if target - values[j] in seen:
        print(j + 1, seen[target - values[j]] + 1)
        break
    seen[values[j]] = j
else:
    print(-1)
