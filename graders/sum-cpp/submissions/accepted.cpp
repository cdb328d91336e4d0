#include <iostream>
#include <vector>
#include <numeric>
int main() {
  int n;
  std::cin >> n;
  std::vector<long long> v(n);
  for (auto &x : v) std::cin >> x;
  std::cout << std::accumulate(v.begin(), v.end(), 0LL) << "\n";
}
