"""Two-sum checker: argv = input, the student's output, a reference answer (testlib's order).
Exit 0 accepts, exit 1 rejects; stdout is the feedback the student sees."""
import sys


def reject(message):
    print(message)
    sys.exit(1)


def main():
    input_path, output_path, answer_path = sys.argv[1:4]
    with open(input_path) as f:
        numbers = f.read().split()
    n, target = int(numbers[0]), int(numbers[1])
    values = [int(x) for x in numbers[2:2 + n]]
    with open(answer_path) as f:
        solvable = f.read().split() != ['-1']
    with open(output_path, errors='replace') as f:
        words = f.read().split()
    if not solvable:
        if words == ['-1']:
            return
        reject('expected -1: no two numbers add up to the target')
    if len(words) != 2 or not all(w.isdigit() for w in words):
        reject('expected two indices i j on one line')
    i, j = int(words[0]), int(words[1])
    if not (1 <= i < j <= n):
        reject(f'indices must satisfy 1 <= i < j <= {n}, got {i} {j}')
    if values[i - 1] + values[j - 1] != target:
        reject(f'a[{i}] + a[{j}] = {values[i - 1] + values[j - 1]}, not {target}')


main()
