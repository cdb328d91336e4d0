import sys
print("hello from the sandbox,", sys.version.split()[0])
