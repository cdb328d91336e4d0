#include <iostream>

int main() {
    long long n;
    std::cin >> n;
    for (long long a = 2; a * a <= n; a++) {
        if (n % a == 0) {
            std::cout << a << ' ' << n / a << '\n';
            return 0;
        }
    }
    return 1;
}
