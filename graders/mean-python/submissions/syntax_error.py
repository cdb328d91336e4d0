n = int(input()
