# Floods the interactor with words that are no guesses.
import sys

sys.stdin.readline()
while True:
    sys.stdout.write("spam " * 1000 + "\n")
