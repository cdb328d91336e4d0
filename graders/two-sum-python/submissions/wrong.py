# Always answers the first and the last index.
n = int(input().split()[0])
print(1, n)
