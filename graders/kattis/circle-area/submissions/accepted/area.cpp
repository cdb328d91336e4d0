// Fewer digits than the answer files: within the tolerance all the same.
#include <cmath>
#include <iomanip>
#include <iostream>

int main() {
    std::ios::sync_with_stdio(false);
    int n;
    std::cin >> n;
    std::cout << std::setprecision(10);
    for (int i = 0; i < n; i++) {
        double r;
        std::cin >> r;
        std::cout << std::acos(-1.0) * r * r << '\n';
    }
}
