# Neither file is called main: the student names solve.py as the entry when submitting.
from message import average_line

n = int(input())
print(average_line(input(), n))
