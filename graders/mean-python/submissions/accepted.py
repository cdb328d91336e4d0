n = int(input())
values = [float(v) for v in input().split()]
print(sum(values) / n)
