n = int(input())
values = [float(v) for v in input().split()]
print(f"{sum(values) / n:.1f}")
