# Reads n, then waits for more input that never comes: the interactor is waiting for a guess.
import sys

sys.stdin.readline()
sys.stdin.readline()
