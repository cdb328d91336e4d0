def average_line(line, n):
    values = [float(v) for v in line.split()][:n]
    return sum(values) / n


if __name__ == "__main__":
    print("message.py is a module, not the program")
