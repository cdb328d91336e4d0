#include <iostream>
#include <string>

int main() {
    long long low = 1, high;
    std::cin >> high;
    for (std::string answer; answer != "correct";) {
        long long guess = low + (high - low) / 2;
        std::cout << guess << std::endl;  // endl flushes: the interactor waits for the line
        std::cin >> answer;
        if (answer == "higher") low = guess + 1;
        if (answer == "lower") high = guess - 1;
    }
}
