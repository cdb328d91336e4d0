// Output validator of "Factor pair" (Kattis format: validator input answer feedback_dir < output;
// exit 42 accepted, 43 wrong answer). Any two integers above 1 whose product is n are right.
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>

static std::string feedback_dir;

[[noreturn]] static void judge(bool accepted, const std::string &message) {
    std::ofstream(feedback_dir + "judgemessage.txt") << message << '\n';
    if (!accepted) std::ofstream(feedback_dir + "teammessage.txt") << message << '\n';
    std::exit(accepted ? 42 : 43);
}

// A whole number from 0 to 10^12 as its digits, or -1: no overflow, no sign, no junk.
static long long parse(const std::string &word) {
    if (word.empty() || word.size() > 13) return -1;
    long long value = 0;
    for (char c : word) {
        if (c < '0' || c > '9') return -1;
        value = value * 10 + (c - '0');
    }
    return value;
}

int main(int argc, char **argv) {
    if (argc < 4) return 1;
    feedback_dir = argv[3];
    long long n = 0;
    std::ifstream(argv[1]) >> n;
    std::string first, second, extra;
    if (!(std::cin >> first >> second)) judge(false, "expected two numbers a and b");
    long long a = parse(first), b = parse(second);
    if (a < 0 || b < 0) judge(false, "expected two whole numbers, got \"" + first + " " + second + "\"");
    if (a < 2 || b < 2) judge(false, "both numbers must be greater than 1");
    if (n % a != 0 || n / a != b) judge(false, first + " * " + second + " is not " + std::to_string(n));
    if (std::cin >> extra) judge(false, "more output after the two numbers");
    judge(true, "a valid pair");
}
