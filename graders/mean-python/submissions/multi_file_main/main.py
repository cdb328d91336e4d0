# main.py imports the averaging from stats.py: main is the entry by its name.
from stats import mean

n = int(input())
print(mean([float(v) for v in input().split()][:n]))
