low, high = 1, int(input())
while True:
    guess = (low + high) // 2
    print(guess, flush=True)
    answer = input()
    if answer == "correct":
        break
    if answer == "higher":
        low = guess + 1
    else:
        high = guess - 1
